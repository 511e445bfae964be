// Who may call the gateway's own routes, from the principal authenticate() resolved for this request.
import type { Context } from "hono";
import { ProblemError } from "#shared/errors.ts";
import type { Actor, Storefront } from "#shared/principal.ts";

type Merchant = Extract<Actor, { type: "merchant" }>;

/** A merchant's secret key, with any scope: reading the merchant needs no particular scope. */
export function merchantKey(c: Context): Merchant {
  const { actor } = c.get("principal");
  if (actor.type !== "merchant") {
    throw new ProblemError("unauthorized", "This route needs a merchant's secret key: Authorization: Bearer sk_…");
  }
  return actor;
}

/** The operator (null) or a merchant's secret key. */
export function operatorOrMerchant(c: Context): Merchant | null {
  const { actor } = c.get("principal");
  if (actor.type === "operator") return null;
  return merchantKey(c);
}

export function storefrontOnly(c: Context): Storefront {
  const { storefront } = c.get("principal");
  if (!storefront) {
    throw new ProblemError("unauthorized", "This route needs a storefront's publishable key: X-Publishable-Key: pk_…");
  }
  return storefront;
}
