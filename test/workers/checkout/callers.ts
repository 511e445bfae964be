// The callers of the checkout tests, named as the gateway names them: the demo's merchants and creators, numbered
// test shoppers, a storefront's guest and the operator.
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { demo } from "../../../dev/demo.ts";
import { as, asMerchant } from "../principals.ts";

export const merchantId = demo.merchants[0]?.id ?? "";
export const otherMerchantId = demo.merchants[1]?.id ?? "";
/** The demo's first two creators. */
export const creators = [demo.creators[0]?.id ?? "", demo.creators[1]?.id ?? ""] as const;

export const shopperId = (n: number | string) => `shp_TEST${String(n).padStart(10, "0")}`;
export const shopper = (n: number | string) => as({ type: "shopper", shopperId: shopperId(n), sessionId: "ses_test" });
export const asCreator = (creatorId: string) => as({ type: "creator", creatorId, sessionId: "ses_test" });
/** A storefront's guest: a publishable key and nobody signed in. */
export const guest = (keyId = "key_storefront_test") => ({
  [PRINCIPAL_HEADER]: encodePrincipal({ actor: { type: "anonymous" }, storefront: { keyId, merchantId } }),
});
export { as, asMerchant };
export const operator = as({ type: "operator" });
