// GET /openapi.json: one OpenAPI 3.1 document for the whole API, merged from the routes every Worker declares
// with its schemas (the gateway's own, and each backend's through its `openapi()` RPC), so it cannot drift.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type OpenApiPart, openApiPart } from "../../../shared/entrypoint.ts";
import { backend, services } from "./services.ts";

export function openApiDocument(gateway: OpenAPIHono<{ Bindings: Env }>) {
  return async function serveOpenApi(c: Context<{ Bindings: Env }>): Promise<Response> {
    const parts: OpenApiPart[] = [
      openApiPart(gateway),
      ...(await Promise.all(services.map(({ binding }) => backend(c.env, binding).openapi()))),
    ];
    const document = {
      openapi: "3.1.0",
      info: {
        title: "zhongcao API",
        version: "1",
        description:
          "Headless social commerce: catalog, notes and feed, search, live shopping, flash sales and checkout. Errors are application/problem+json.",
      },
      servers: [{ url: new URL(c.req.url).origin }],
      paths: Object.assign({}, ...parts.map((p) => p.paths)),
      components: {
        schemas: Object.assign({}, ...parts.map((p) => p.schemas)),
        securitySchemes: {
          secretKey: {
            type: "http",
            scheme: "bearer",
            description: "A merchant's secret key (sk_…) or the operator key.",
          },
          accessToken: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "A shopper's or creator's access token.",
          },
          publishableKey: {
            type: "apiKey",
            in: "header",
            name: "X-Publishable-Key",
            description: "A storefront's pk_… key.",
          },
        },
      },
    };
    c.header("cache-control", "public, max-age=60");
    return c.json(document);
  };
}
