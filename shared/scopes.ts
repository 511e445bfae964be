// What a merchant's secret key may be allowed to do (docs/api/conventions.md). A module of its own, with no imports,
// so the merchant console in the browser lists the same scopes the API checks.
export const scopes = [
  "catalog:write",
  "orders:read",
  "orders:write",
  "flash_sales:write",
  "presales:write",
  "webhooks:write",
  "analytics:read",
  "promotions:write",
  "api_keys:write",
  "affiliates:read",
  "affiliates:write",
] as const;
export type Scope = (typeof scopes)[number];
