// Hands a request to a backend Worker over its service binding, carrying the gateway's request id.
import type { Context } from "hono";
import { REQUEST_ID_HEADER } from "../../../shared/http.ts";
import type { ServiceBinding } from "./services.ts";

export function forwardTo(binding: ServiceBinding) {
  return async function forward(c: Context<{ Bindings: Env }>): Promise<Response> {
    const headers = new Headers(c.req.raw.headers);
    headers.set(REQUEST_ID_HEADER, c.get("requestId"));
    const response = await c.env[binding].fetch(new Request(c.req.raw, { headers }));
    // A fresh Response so the gateway's middleware may add headers (the fetched one is immutable).
    return new Response(response.body, response);
  };
}
