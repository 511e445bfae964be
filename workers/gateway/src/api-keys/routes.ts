// A merchant's own API keys. Any of its secret keys may manage them (list, create, revoke: a leaked key can be
// replaced from another one without the operator), but a key may only grant scopes it holds itself. Another
// merchant's key id is a 404. Revoking takes effect on the next request: keys are looked up on every request.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idParam, jsonContent, problemResponses } from "#shared/openapi.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { scopes } from "#shared/principal.ts";
import { apiKeys } from "#shared/schema.ts";
import { merchantKey } from "../pipeline/callers.ts";
import { forget } from "../pipeline/key-cache.ts";
import { OriginSchema } from "../schemas.ts";
import { ApiKeySchema, ApiKeyWithSecretSchema, keyColumns, mintKey, revealed, toApiKey } from "./keys.ts";

const ApiKeyCreateSchema = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("secret"),
        mode: z.enum(["test", "live"]).default("test"),
        scopes: z.array(z.enum(scopes)).min(1).max(scopes.length),
      })
      .strict(),
    z
      .object({
        kind: z.literal("publishable"),
        mode: z.enum(["test", "live"]).default("test"),
        allowedOrigins: z.array(OriginSchema).max(20),
      })
      .strict(),
  ])
  .openapi("ApiKeyCreate");

const createKeyRoute = createRoute({
  method: "post",
  path: "/",
  summary: "Create a secret or publishable key (any secret key of the merchant)",
  description: "The key is in this response only. A secret key may be given only scopes the calling key has.",
  request: { body: { content: { "application/json": { schema: ApiKeyCreateSchema } }, required: true } },
  responses: { 201: jsonContent(ApiKeyWithSecretSchema, "The new key"), ...problemResponses(400, 401, 403) },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/",
  summary: "List the merchant's keys, newest first (never the keys themselves)",
  request: { query: pageQuery.strict() },
  responses: {
    200: jsonContent(z.object({ data: z.array(ApiKeySchema), nextCursor: z.string().nullable() }), "A page of keys"),
    ...problemResponses(400, 401),
  },
});

const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Revoke one of the merchant's keys; it stops working at once",
  request: { params: idParam("key") },
  responses: { 200: jsonContent(ApiKeySchema, "The revoked key"), ...problemResponses(400, 401, 404) },
});

export const apiKeyRoutes = createRouter<{ Bindings: Env }>();

apiKeyRoutes.openapi(createKeyRoute, async (c) => {
  const caller = merchantKey(c);
  const input = c.req.valid("json");
  if (input.kind === "secret") {
    const missing = input.scopes.filter((s) => !caller.scopes.includes(s));
    if (missing.length > 0) {
      throw new ProblemError("forbidden", `This key cannot grant scopes it does not have: ${missing.join(", ")}.`);
    }
  }
  const minted = await mintKey({
    kind: input.kind,
    mode: input.mode,
    merchantId: caller.merchantId,
    scopes: input.kind === "secret" ? [...new Set(input.scopes)] : [],
    allowedOrigins: input.kind === "publishable" ? [...new Set(input.allowedOrigins)] : [],
  });
  await database(c.env).insert(apiKeys).values(minted.row);
  return c.json(revealed(minted), 201);
});

apiKeyRoutes.openapi(listKeysRoute, async (c) => {
  const { merchantId } = merchantKey(c);
  const { limit, cursor } = c.req.valid("query");
  const after = decodeCursor(cursor);
  const rows = await database(c.env)
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.merchantId, merchantId), after ? lt(apiKeys.id, after) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
  const { data, nextCursor } = page(rows, limit);
  return c.json({ data: data.map(toApiKey), nextCursor }, 200);
});

apiKeyRoutes.openapi(revokeKeyRoute, async (c) => {
  const { merchantId } = merchantKey(c);
  const { id } = c.req.valid("param");
  const db = database(c.env);
  const now = new Date().toISOString();
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.merchantId, merchantId), isNull(apiKeys.revokedAt)))
    .returning(keyColumns);
  if (revoked) {
    forget(revoked.id);
    return c.json(toApiKey(revoked), 200);
  }
  // Already revoked (answer as it is) or not this merchant's (404).
  const [existing] = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.merchantId, merchantId)));
  if (!existing) throw new ProblemError("not_found", `No API key ${id}.`);
  return c.json(toApiKey(existing), 200);
});
