// The database schema, one source for drizzle queries (shared/db.ts) and for the SQL migrations drizzle-kit
// generates (drizzle.config.ts): every table, by domain. Only tables are exported here; the column groups
// (columns.ts, owners.ts) are not.
export * from "./affiliates.ts";
export * from "./analytics.ts";
export * from "./catalog.ts";
export * from "./flash-sales.ts";
export * from "./identity-and-keys.ts";
export * from "./interests.ts";
export * from "./live.ts";
export * from "./media.ts";
export * from "./notifications.ts";
export * from "./orders.ts";
export * from "./payments.ts";
export * from "./promotions.ts";
export * from "./returns-and-commissions.ts";
export * from "./search.ts";
export * from "./social.ts";
export * from "./webhooks.ts";
