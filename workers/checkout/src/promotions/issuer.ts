// Who issues a promotion (a coupon, a spend-and-save rule): the operator for the platform's, or a merchant with
// `promotions:write` for its own.
import type { Context } from "hono";
import { checkFirst, principalOf, requireMerchant } from "#shared/principal.ts";

/** The operator (null: the platform's) or a merchant with `promotions:write`. */
export function issuer(c: Context): string | null {
  if (principalOf(c).actor.type === "operator") return null;
  return requireMerchant(c, "promotions:write").merchantId;
}

/** Middleware: refuses a caller that issues no promotions before its input is read. */
export const issuersOnly = checkFirst(issuer);
