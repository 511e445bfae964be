// The principal header the gateway would send, for tests that call a backend Worker directly (the real contract).
import { type Actor, encodePrincipal, PRINCIPAL_HEADER, type Scope, scopes } from "#shared/principal.ts";

export function as(actor: Actor): Record<string, string> {
  return { [PRINCIPAL_HEADER]: encodePrincipal({ actor, storefront: null }) };
}

export function asMerchant(merchantId: string, granted: readonly Scope[] = scopes): Record<string, string> {
  return as({ type: "merchant", merchantId, keyId: "key_test", scopes: [...granted], mode: "test" });
}
