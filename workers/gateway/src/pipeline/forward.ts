// Hands a request to a backend Worker over its service binding, carrying the gateway's request id and the principal
// it resolved. An inbound x-zhongcao-principal is always overwritten (a client cannot name itself), and the raw
// credentials stay at the gateway: the backends trust the principal, never a key (webhooks keep their signature).
import type { Context } from "hono";
import { REQUEST_ID_HEADER } from "#shared/http.ts";
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { isWebhook } from "./authenticate.ts";
import { cacheable, cachedResponse, storeAndPurge } from "./edge-cache.ts";
import type { ServiceBinding } from "./services.ts";

export function forwardTo(binding: ServiceBinding) {
  return async function forward(c: Context<{ Bindings: Env }>): Promise<Response> {
    const principal = c.get("principal");
    const useCache = cacheable(c.req.raw, principal);
    if (useCache) {
      const hit = await cachedResponse(c.req.raw);
      if (hit) return hit;
    }
    const headers = new Headers(c.req.raw.headers);
    headers.set(REQUEST_ID_HEADER, c.get("requestId"));
    headers.set(PRINCIPAL_HEADER, encodePrincipal(principal));
    if (!isWebhook(c.req.path)) headers.delete("authorization");
    headers.delete("x-publishable-key");
    // The body read here in full (at most BODY_LIMIT_BYTES): streamed on, a body the Worker refused unread would
    // still be pumped after the answer, and the runtime would log an uncaught "Can't read from request stream".
    // Read through Hono, which keeps it: json-text.ts has already read and checked it.
    const body = c.req.raw.body === null ? null : await c.req.arrayBuffer();
    const response = await c.env[binding].fetch(new Request(c.req.raw, { headers, body }));
    // A WebSocket upgrade (101) passes through as it is.
    if (response.webSocket) return response;
    // A fresh Response so the gateway's middleware may add headers (the fetched one is immutable).
    return storeAndPurge(c.req.raw, new Response(response.body, response), c.executionCtx, useCache);
  };
}
