// GET /.well-known/jwks.json: the public halves of the current and previous signing keys, so anyone can verify the
// platform's access tokens. Cached briefly: a rotation shows here within a minute.
import { z } from "@hono/zod-openapi";
import { createRouter } from "#shared/http.ts";
import { jsonContent } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { signingKeys } from "#shared/signing-keys.ts";

const JwksSchema = z
  .object({
    keys: z.array(
      z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.string() }),
    ),
  })
  .openapi("Jwks");

const jwksRoute = route("GET /jwks.json", "The platform's token verification keys (JWKS)", {
  responses: { 200: jsonContent(JwksSchema, "Current key first") },
});

export const wellKnownRoutes = createRouter<{ Bindings: Env }>();

wellKnownRoutes.openapi(jwksRoute, async (c) => {
  const keys = await signingKeys(c.env);
  c.header("cache-control", "public, max-age=30");
  return c.json(
    {
      keys: keys.publicJwks.map((jwk) => ({
        kty: jwk.kty ?? "OKP",
        crv: jwk.crv ?? "Ed25519",
        x: jwk.x ?? "",
        kid: jwk.kid ?? "",
        alg: jwk.alg ?? "EdDSA",
        use: jwk.use ?? "sig",
      })),
    },
    200,
  );
});
