// Hands a request to a backend Worker over its service binding, carrying the gateway's request id and the principal
// it resolved. An inbound x-zhongcao-principal is always overwritten (a client cannot name itself), and the raw
// credentials stay at the gateway: the backends trust the principal, never a key.
import type { Context } from "hono";
import { REQUEST_ID_HEADER } from "../../../shared/http.ts";
import { encodePrincipal, PRINCIPAL_HEADER } from "../../../shared/principal.ts";
import type { ServiceBinding } from "./services.ts";

export function forwardTo(binding: ServiceBinding) {
  return async function forward(c: Context<{ Bindings: Env }>): Promise<Response> {
    const headers = new Headers(c.req.raw.headers);
    headers.set(REQUEST_ID_HEADER, c.get("requestId"));
    headers.set(PRINCIPAL_HEADER, encodePrincipal(c.get("principal")));
    headers.delete("authorization");
    headers.delete("x-publishable-key");
    const response = await c.env[binding].fetch(new Request(c.req.raw, { headers }));
    // A fresh Response so the gateway's middleware may add headers (the fetched one is immutable).
    return new Response(response.body, response);
  };
}
