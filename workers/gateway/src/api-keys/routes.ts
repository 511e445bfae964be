// A merchant's own API keys, managed with a secret key holding `api_keys:write` (list, create, revoke: a leaked key
// can be replaced from another one without the operator). A key never grants or revokes more than it holds: a new
// secret key's scopes and a revoked key's must all be the caller's. Publishable keys carry no scope, so any managing
// key may mint or revoke them. A key manages only keys of its own mode (test or live). Another merchant's key id, or
// one of the other mode, is a 404. Revoking takes effect on the next request.
import { z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { created, ok } from "#shared/openapi/responses.ts";
import { createResourceRoute, route } from "#shared/openapi/routes.ts";
import { idParam, pageOf, setOf } from "#shared/openapi/schemas.ts";
import { newestPage, pageQuery } from "#shared/pagination.ts";
import { type Mode, merchantScope, requireMerchant, type Scope, scopes } from "#shared/principal.ts";
import { apiKeys } from "#shared/schema.ts";
import { forget } from "../pipeline/key-cache.ts";
import { OriginSchema } from "../schemas.ts";
import { ApiKeySchema, ApiKeyWithSecretSchema, isScope, keyColumns, mintKey, revealed, toApiKey } from "./keys.ts";

const scope = "api_keys:write";

/** Keys of one mode: the mode is in the key's prefix (`sk_live_…`), kept in displayPrefix. */
const inMode = (mode: Mode) => sql`substr(${apiKeys.displayPrefix}, 4, 4) = ${mode}`;

/** The scopes among `wanted` the caller lacks (unknown ones grant nothing, so they are nobody's to lack). */
const lacking = (caller: Scope[], wanted: string[]) => wanted.filter((s) => isScope(s) && !caller.includes(s));

const keyMode = z.enum(["test", "live"]).optional().openapi({
  description: "Default: the calling key's. Only the calling key's mode (else 403 `forbidden` at `/mode`).",
});

const ApiKeyCreateSchema = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("secret"),
        mode: keyMode,
        scopes: setOf(z.enum(scopes)).min(1).max(scopes.length),
      })
      .strict(),
    z
      .object({
        kind: z.literal("publishable"),
        mode: keyMode,
        allowedOrigins: setOf(OriginSchema).max(20),
      })
      .strict(),
  ])
  .openapi("ApiKeyCreate");

const createKeyRoute = createResourceRoute(
  "Create a secret or publishable key (a secret key with `api_keys:write`)",
  ApiKeyCreateSchema,
  created(ApiKeyWithSecretSchema, "The new key", 400, 401, 403),
  {
    description:
      "A secret key with `api_keys:write`. The key is in this response only. A secret key may be given only scopes the calling key has (403 `forbidden` at `/scopes`); a key only of the calling key's mode (403 `forbidden` at `/mode`).",
  },
);

const listKeysRoute = route("GET /", "List the merchant's keys, newest first (never the keys themselves)", {
  description: "A secret key with `api_keys:write`. The keys of the calling key's mode only (test or live).",
  request: { query: pageQuery.strict() },
  responses: ok(pageOf(ApiKeySchema), "A page of keys", 400, 401, 403),
});

const revokeKeyRoute = route("DELETE /{id}", "Revoke one of the merchant's keys; it stops working at once", {
  description:
    "A secret key with `api_keys:write`, and every scope of the key it revokes (else 403 `forbidden`). A key of the other mode (test or live) is a 404. Revoking a revoked key answers it as it is.",
  request: { params: idParam("key") },
  responses: ok(ApiKeySchema, "The revoked key", 400, 401, 403, 404),
});

export const apiKeyRoutes = createRouter<{ Bindings: Env }>();

// Before the body is read: a key without the scope learns nothing about what it sent.
apiKeyRoutes.use("*", merchantScope(scope));

apiKeyRoutes.openapi(createKeyRoute, async (c) => {
  const caller = requireMerchant(c, scope);
  const input = c.req.valid("json");
  const missing = input.kind === "secret" ? lacking(caller.scopes, input.scopes) : [];
  if (missing.length > 0) {
    const detail = `This key cannot grant scopes it does not have: ${missing.join(", ")}.`;
    throw new ProblemError("forbidden", detail, { errors: [{ path: "/scopes", message: detail }] });
  }
  // Test and live are two worlds: a test key never makes a live key (nor the other way round).
  const mode = input.mode ?? caller.mode;
  if (mode !== caller.mode) {
    const detail = `A ${caller.mode}-mode key cannot create ${mode}-mode keys.`;
    throw new ProblemError("forbidden", detail, { errors: [{ path: "/mode", message: detail }] });
  }
  const minted = await mintKey({
    kind: input.kind,
    mode,
    merchantId: caller.merchantId,
    scopes: input.kind === "secret" ? [...new Set(input.scopes)] : [],
    allowedOrigins: input.kind === "publishable" ? [...new Set(input.allowedOrigins)] : [],
  });
  await database(c.env).insert(apiKeys).values(minted.row);
  return c.json(revealed(minted), 201);
});

apiKeyRoutes.openapi(listKeysRoute, async (c) => {
  const { merchantId, mode } = requireMerchant(c, scope);
  const { data, nextCursor } = await newestPage(
    database(c.env).select(keyColumns).from(apiKeys).$dynamic(),
    apiKeys.id,
    c.req.valid("query"),
    eq(apiKeys.merchantId, merchantId),
    inMode(mode),
  );
  return c.json({ data: data.map(toApiKey), nextCursor }, 200);
});

apiKeyRoutes.openapi(revokeKeyRoute, async (c) => {
  const caller = requireMerchant(c, scope);
  const { id } = c.req.valid("param");
  const db = database(c.env);
  // The other mode's key is as unknown as another merchant's.
  const mine = and(eq(apiKeys.id, id), eq(apiKeys.merchantId, caller.merchantId), inMode(caller.mode));
  const [existing] = await db.select(keyColumns).from(apiKeys).where(mine);
  if (!existing) throw new ProblemError("not_found", `No API key ${id}.`);
  // A narrower key cannot take away a wider one (a leaked order-reading key must not lock its merchant out).
  const missing = lacking(caller.scopes, existing.scopes);
  if (missing.length > 0) {
    throw new ProblemError(
      "forbidden",
      `This key cannot revoke a key with scopes it does not have: ${missing.join(", ")}.`,
    );
  }
  // Already revoked: answered as it is.
  if (existing.revokedAt !== null) return c.json(toApiKey(existing), 200);
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(mine, isNull(apiKeys.revokedAt)))
    .returning(keyColumns);
  forget(id);
  // None: another request revoked it in between; answer it as that one left it.
  const [after] = revoked ? [revoked] : await db.select(keyColumns).from(apiKeys).where(mine);
  return c.json(toApiKey(after ?? existing), 200);
});
