// The Workers behind the gateway, and which /v1 paths each one owns.
import type { ServiceEntrypoint } from "#shared/entrypoint.ts";

export const services = [
  {
    name: "catalog",
    binding: "CATALOG",
    prefixes: ["/v1/products", "/v1/skus", "/v1/notes", "/v1/feed", "/v1/follows", "/v1/me"],
  },
  { name: "search", binding: "SEARCH", prefixes: ["/v1/search", "/v1/selection"] },
  {
    name: "checkout",
    binding: "CHECKOUT",
    prefixes: [
      "/v1/flash-sales",
      "/v1/presales",
      "/v1/carts",
      "/v1/orders",
      "/v1/payments",
      "/v1/webhooks/sandbox",
      "/v1/webhooks/stripe",
      "/v1/webhook-endpoints",
      "/v1/returns",
      "/v1/commissions",
      "/v1/affiliate-plans",
      "/v1/creators/me/earnings",
      "/v1/sample-requests",
      "/v1/collaborations",
      "/v1/collaboration-applications",
      "/v1/coupons",
      "/v1/promotions",
      "/v1/campaigns",
      "/v1/analytics",
    ],
  },
  { name: "live", binding: "LIVE", prefixes: ["/v1/live", "/v1/webhooks/livekit", "/v1/notifications"] },
] as const satisfies readonly { name: string; binding: keyof Env; prefixes: readonly string[] }[];

export type ServiceBinding = (typeof services)[number]["binding"];

/** A backend Worker's binding with its RPC methods typed (wrangler types sees only a Fetcher from this config). */
export function backend(env: Env, binding: ServiceBinding): Service<ServiceEntrypoint> {
  return env[binding] as Service<ServiceEntrypoint>;
}
