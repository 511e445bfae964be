// Shopper and creator sessions: an access token (EdDSA JWT, 15 minutes by default) and a refresh token that is
// rotated on every use (POST …/refresh); replaying a rotated one revokes the whole session.
//   POST /v1/shopper-sessions           publishable key; {} opens a guest session, { idToken } signs in by OIDC
//   POST /v1/shopper-sessions/refresh   { refreshToken }
//   POST /v1/creator-sessions           { creatorKey } or { idToken } from a creator-role issuer
//   POST /v1/creator-sessions/refresh   { refreshToken }
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { sha256Hex } from "#shared/crypto.ts";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { jsonContent, problemResponses } from "#shared/openapi.ts";
import type { Storefront } from "#shared/principal.ts";
import { apiKeys, creators, shoppers } from "#shared/schema.ts";
import { findCreatorByKey } from "../api-keys.ts";
import { storefrontOnly } from "../callers.ts";
import { verifyIdToken } from "../oidc.ts";
import { type IssuedSession, openSession, refreshSession } from "../sessions.ts";
import { CreatorSchema, toCreator } from "./creators.ts";

const ShopperSchema = z
  .object({
    id: z.string().openapi({ example: "shp_01JDEMO0000000000000000000" }),
    object: z.literal("shopper"),
    guest: z.boolean(),
    displayName: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Shopper");

const sessionFields = {
  id: z.string().openapi({ description: "The session (its refresh-token family)", example: "ses_01JDEMO…" }),
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires." }),
  refreshToken: z.string().openapi({ description: "Single use: each refresh returns a new one." }),
  refreshTokenExpiresAt: z.string(),
};
const ShopperSessionSchema = z
  .object({ ...sessionFields, object: z.literal("shopper_session"), shopper: ShopperSchema })
  .openapi("ShopperSession");
const CreatorSessionSchema = z
  .object({ ...sessionFields, object: z.literal("creator_session"), creator: CreatorSchema })
  .openapi("CreatorSession");

const idToken = z.string().min(1).max(8192).openapi({ description: "An ID token from an accepted OIDC issuer." });
const ShopperSessionCreateSchema = z.object({ idToken: idToken.optional() }).strict().openapi("ShopperSessionCreate");
const CreatorSessionCreateSchema = z
  .object({
    creatorKey: z
      .string()
      .regex(/^ck_(test|live)_[0-9a-f]{40}$/, "a creator key, ck_test_…")
      .optional(),
    idToken: idToken.optional(),
  })
  .strict()
  .refine((v) => (v.creatorKey === undefined) !== (v.idToken === undefined), {
    message: "give exactly one of creatorKey and idToken",
    path: ["creatorKey"],
  })
  .openapi("CreatorSessionCreate");
const RefreshSchema = z
  .object({ refreshToken: z.string().min(1).max(200) })
  .strict()
  .openapi("SessionRefresh");

const body = <S extends z.ZodType>(schema: S, required = true) => ({
  body: { content: { "application/json": { schema } }, required },
});

const openShopperSession = createRoute({
  method: "post",
  path: "/shopper-sessions",
  summary: "Open a shopper session (publishable key): a guest, or an OIDC identity",
  request: body(ShopperSessionCreateSchema, false),
  responses: { 201: jsonContent(ShopperSessionSchema, "The session"), ...problemResponses(400, 401, 403) },
});
const refreshShopperSession = createRoute({
  method: "post",
  path: "/shopper-sessions/refresh",
  summary: "Trade a shopper refresh token for new tokens (the old one stops working)",
  request: body(RefreshSchema),
  responses: { 200: jsonContent(ShopperSessionSchema, "The session, with new tokens"), ...problemResponses(400, 401) },
});
const openCreatorSession = createRoute({
  method: "post",
  path: "/creator-sessions",
  summary: "Open a creator session with a creator key or an ID token from a creator-role issuer",
  request: body(CreatorSessionCreateSchema),
  responses: { 201: jsonContent(CreatorSessionSchema, "The session"), ...problemResponses(400, 401) },
});
const refreshCreatorSession = createRoute({
  method: "post",
  path: "/creator-sessions/refresh",
  summary: "Trade a creator refresh token for new tokens (the old one stops working)",
  request: body(RefreshSchema),
  responses: { 200: jsonContent(CreatorSessionSchema, "The session, with new tokens"), ...problemResponses(400, 401) },
});

type ShopperRow = typeof shoppers.$inferSelect;
const toShopper = (row: ShopperRow): z.infer<typeof ShopperSchema> => ({
  id: row.id,
  object: "shopper",
  guest: row.oidcIssuer === null,
  displayName: row.displayName,
  createdAt: row.createdAt,
});

function tokens(s: IssuedSession) {
  return {
    id: s.sessionId,
    accessToken: s.accessToken,
    tokenType: "Bearer" as const,
    expiresIn: s.expiresIn,
    refreshToken: s.refreshToken,
    refreshTokenExpiresAt: s.refreshTokenExpiresAt,
  };
}

/** The storefront behind a refresh token's key id, if that publishable key still works. */
function storefrontLookup(c: Context<{ Bindings: Env }>) {
  return async (keyId: string): Promise<Storefront | null> => {
    const [row] = await database(c.env)
      .select({ merchantId: apiKeys.merchantId })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
    if (!row?.merchantId)
      throw new ProblemError("unauthorized", "The storefront this session was opened through has been revoked.");
    return { keyId, merchantId: row.merchantId };
  };
}

const unknownSubject = () => new ProblemError("unauthorized", "This session's account no longer exists.");

export const sessionRoutes = createRouter<{ Bindings: Env }>();

sessionRoutes.openapi(openShopperSession, async (c) => {
  const storefront = storefrontOnly(c);
  const input = c.req.valid("json") ?? {};
  const db = database(c.env);
  let shopper: ShopperRow | undefined;
  if (input.idToken !== undefined) {
    const identity = await verifyIdToken(c.env, input.idToken, "shopper");
    // One shopper per (issuer, subject), created on first sign-in; the no-op update makes RETURNING give the
    // existing row too, in one round trip.
    [shopper] = await db
      .insert(shoppers)
      .values({
        id: newId("shp"),
        oidcIssuer: identity.issuer,
        oidcSubject: identity.subject,
        displayName: identity.name,
      })
      .onConflictDoUpdate({
        target: [shoppers.oidcIssuer, shoppers.oidcSubject],
        set: { oidcSubject: sql`excluded.oidc_subject` },
      })
      .returning();
  } else {
    [shopper] = await db
      .insert(shoppers)
      .values({ id: newId("shp") })
      .returning();
  }
  if (!shopper) throw new Error("the shopper upsert returned no row");
  const session = await openSession(c.env, { role: "shopper", subjectId: shopper.id, storefront });
  return c.json({ ...tokens(session), object: "shopper_session" as const, shopper: toShopper(shopper) }, 201);
});

sessionRoutes.openapi(refreshShopperSession, async (c) => {
  const { refreshToken } = c.req.valid("json");
  const session = await refreshSession(c.env, "shopper", refreshToken, storefrontLookup(c));
  const [shopper] = await database(c.env).select().from(shoppers).where(eq(shoppers.id, session.subjectId));
  if (!shopper) throw unknownSubject();
  return c.json({ ...tokens(session), object: "shopper_session" as const, shopper: toShopper(shopper) }, 200);
});

sessionRoutes.openapi(openCreatorSession, async (c) => {
  const input = c.req.valid("json");
  const db = database(c.env);
  let creator: typeof creators.$inferSelect | undefined;
  if (input.creatorKey !== undefined) {
    const found = await findCreatorByKey(db, input.creatorKey);
    if (!found) throw new ProblemError("unauthorized", "The creator key is unknown or revoked.");
    creator = found.creator;
  } else if (input.idToken !== undefined) {
    const identity = await verifyIdToken(c.env, input.idToken, "creator");
    // First sign-in through a creator-role issuer makes the creator (the operator vouched for that issuer).
    const handle = `c_${(await sha256Hex(`${identity.issuer}\n${identity.subject}`)).slice(0, 20)}`;
    [creator] = await db
      .insert(creators)
      .values({
        id: newId("cre"),
        name: identity.name ?? handle,
        handle,
        oidcIssuer: identity.issuer,
        oidcSubject: identity.subject,
      })
      .onConflictDoUpdate({
        target: [creators.oidcIssuer, creators.oidcSubject],
        set: { oidcSubject: sql`excluded.oidc_subject` },
      })
      .returning();
  }
  if (!creator) throw new Error("no creator after sign-in");
  const { storefront } = c.get("principal");
  const session = await openSession(c.env, { role: "creator", subjectId: creator.id, storefront });
  return c.json({ ...tokens(session), object: "creator_session" as const, creator: toCreator(creator) }, 201);
});

sessionRoutes.openapi(refreshCreatorSession, async (c) => {
  const { refreshToken } = c.req.valid("json");
  const session = await refreshSession(c.env, "creator", refreshToken, storefrontLookup(c));
  const [creator] = await database(c.env).select().from(creators).where(eq(creators.id, session.subjectId));
  if (!creator) throw unknownSubject();
  return c.json({ ...tokens(session), object: "creator_session" as const, creator: toCreator(creator) }, 200);
});
