// OpenID Connect issuers whose ID tokens the platform accepts (operator only): shoppers' or creators' sign-in.
import { z } from "@hono/zod-openapi";
import { desc } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, ok } from "#shared/openapi/responses.ts";
import { createResourceRoute, route } from "#shared/openapi/routes.ts";
import { resourceFields, wholeListOf } from "#shared/openapi/schemas.ts";
import { checkFirst, requireOperator } from "#shared/principal.ts";
import { oidcIssuers } from "#shared/schema.ts";
import { isUniqueViolation } from "../schemas.ts";

const OidcIssuerSchema = z
  .object({
    ...resourceFields("oidc_issuer", "oidc"),
    issuer: z.string(),
    jwksUrl: z.string(),
    audience: z.string(),
    role: z.enum(["shopper", "creator"]),
    createdAt: z.string(),
  })
  .openapi("OidcIssuer");

const OidcIssuerCreateSchema = z
  .object({
    issuer: z.url().max(500).openapi({ example: "https://accounts.example.com" }),
    jwksUrl: z.url().max(500).openapi({ example: "https://accounts.example.com/.well-known/jwks.json" }),
    audience: z.string().min(1).max(200).openapi({ description: "The `aud` the ID tokens carry (your client id)." }),
    role: z.enum(["shopper", "creator"]),
  })
  .strict()
  .openapi("OidcIssuerCreate");

const createIssuerRoute = createResourceRoute(
  "Accept ID tokens from an OIDC issuer (operator)",
  OidcIssuerCreateSchema,
  created(OidcIssuerSchema, "The issuer", 400, 401, 409),
);

const listIssuersRoute = route("GET /", "The accepted OIDC issuers (operator)", {
  responses: ok(wholeListOf(OidcIssuerSchema), "Every issuer", 401),
});

type Row = typeof oidcIssuers.$inferSelect;
const toIssuer = (row: Row): z.infer<typeof OidcIssuerSchema> => ({ ...row, object: "oidc_issuer" });

export const oidcIssuerRoutes = createRouter<{ Bindings: Env }>();
oidcIssuerRoutes.use(checkFirst(requireOperator));

oidcIssuerRoutes.openapi(createIssuerRoute, async (c) => {
  const input = c.req.valid("json");
  try {
    // ids.ts is shared and has no issuer prefix; issuers use `oidc_` on the same sortable body.
    const [row] = await database(c.env)
      .insert(oidcIssuers)
      .values({ id: `oidc_${newId("req").slice(4)}`, ...input })
      .returning();
    if (!row) throw new Error("the issuer insert returned no row");
    return c.json(toIssuer(row), 201);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ProblemError("conflict", `The issuer ${input.issuer} is already configured.`, {
        errors: [{ path: "/issuer", message: "already configured" }],
      });
    }
    throw err;
  }
});

oidcIssuerRoutes.openapi(listIssuersRoute, async (c) => {
  // A handful of rows at most: no paging.
  const rows = await database(c.env).select().from(oidcIssuers).orderBy(desc(oidcIssuers.id));
  return c.json({ data: rows.map(toIssuer), nextCursor: null }, 200);
});
