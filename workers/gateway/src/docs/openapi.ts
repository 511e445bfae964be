// GET /openapi.json: one OpenAPI 3.1 document for the whole API, merged from the routes every Worker declares
// with its schemas (the gateway's own, and each backend's through its `openapi()` RPC), so it cannot drift.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type OpenApiPart, openApiPart } from "#shared/entrypoint.ts";
import { backend, services } from "../pipeline/services.ts";

export function openApiDocument(gateway: OpenAPIHono<{ Bindings: Env }>) {
  return async function serveOpenApi(c: Context<{ Bindings: Env }>): Promise<Response> {
    const parts: OpenApiPart[] = [
      openApiPart(gateway),
      ...(await Promise.all(services.map(({ binding }) => backend(c.env, binding).openapi()))),
    ];
    const paths: Paths = Object.assign({}, ...parts.map((p) => p.paths));
    const document = {
      openapi: "3.1.0",
      info: {
        title: "zhongcao API",
        version: "1",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
        description:
          "Headless social commerce: catalog, notes and feed, search, live shopping, flash sales and checkout. Errors are application/problem+json.",
      },
      // Relative: the host the document was fetched from. Built from the request, it would echo whatever Host a
      // client sent; Swagger UI resolves "/" against the document, and the committed client names its own server.
      servers: [{ url: "/" }],
      paths: withOperationIds(paths),
      // Each route says in its description who may call it; any of these credentials, or none for public routes.
      security: [{ secretKey: [] }, { accessToken: [] }, { publishableKey: [] }, {}],
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

const httpMethods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type Paths = Record<string, Record<string, { operationId?: string } & Record<string, unknown>>>;

/** Every operation named (a client generator's method name): `post /v1/carts/{id}/checkout` → `postCartsIdCheckout`. */
export function withOperationIds(paths: Paths): Paths {
  const words = (path: string) =>
    path
      .replace(/^\/v1\//, "/")
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((word) => word[0]?.toUpperCase() + word.slice(1));
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [
          method,
          httpMethods.has(method) ? { operationId: `${method}${words(path).join("")}`, ...operation } : operation,
        ]),
      ),
    ]),
  );
}
