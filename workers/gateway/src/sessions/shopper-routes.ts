// Shopper sessions: a publishable key opens one, for a guest ({}) or an OIDC identity ({ idToken }); the access token
// (EdDSA JWT, 15 minutes by default) is renewed with a refresh token rotated on every use: replaying a rotated one
// revokes the whole session.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { type Database, database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, jsonBody } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import { checkFirst } from "#shared/principal.ts";
import { shoppers } from "#shared/schema.ts";
import { storefrontOnly } from "../pipeline/callers.ts";
import { verifyIdToken } from "./oidc.ts";
import { openSession } from "./session.ts";
import { idToken, onIdentity, refreshed, refreshRoute, sessionFields, tokens } from "./session-api.ts";

const ShopperSchema = z
  .object({
    ...resourceFields("shopper", "shp"),
    guest: z.boolean(),
    displayName: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Shopper");

const ShopperSessionSchema = z
  .object({ ...sessionFields, object: z.literal("shopper_session"), shopper: ShopperSchema })
  .openapi("ShopperSession");

const ShopperSessionCreateSchema = z.object({ idToken: idToken.optional() }).strict().openapi("ShopperSessionCreate");

const openShopperSession = route("POST /", "Open a shopper session (publishable key): a guest, or an OIDC identity", {
  caller: checkFirst(storefrontOnly),
  request: { body: jsonBody(ShopperSessionCreateSchema, false) },
  responses: created(ShopperSessionSchema, "The session", 400, 401, 403),
});

const refreshShopperSession = refreshRoute("shopper", ShopperSessionSchema);

type ShopperRow = typeof shoppers.$inferSelect;
const toShopper = (row: ShopperRow): z.infer<typeof ShopperSchema> => ({
  id: row.id,
  object: "shopper",
  guest: row.oidcIssuer === null,
  displayName: row.displayName,
  createdAt: row.createdAt,
});

/** What opening and refreshing a shopper session answer: its tokens and the shopper. */
function shopperSession(session: Parameters<typeof tokens>[0], shopper: Parameters<typeof toShopper>[0]) {
  return { ...tokens(session), object: "shopper_session" as const, shopper: toShopper(shopper) };
}

const findShopper = (db: Database, id: string) => db.query.shoppers.findFirst({ where: eq(shoppers.id, id) });

export const shopperSessionRoutes = createRouter<{ Bindings: Env }>();

shopperSessionRoutes.openapi(openShopperSession, async (c) => {
  const storefront = storefrontOnly(c);
  const input = c.req.valid("json") ?? {};
  const db = database(c.env);
  let shopper: ShopperRow | undefined;
  if (input.idToken !== undefined) {
    const identity = await verifyIdToken(c.env, input.idToken, "shopper");
    [shopper] = await db
      .insert(shoppers)
      .values({
        id: newId("shp"),
        oidcIssuer: identity.issuer,
        oidcSubject: identity.subject,
        displayName: identity.name,
      })
      .onConflictDoUpdate(onIdentity(shoppers))
      .returning();
  } else {
    [shopper] = await db
      .insert(shoppers)
      .values({ id: newId("shp") })
      .returning();
  }
  if (!shopper) throw new Error("the shopper upsert returned no row");
  const session = await openSession(c.env, { role: "shopper", subjectId: shopper.id, storefront });
  return c.json(shopperSession(session, shopper), 201);
});

shopperSessionRoutes.openapi(refreshShopperSession, async (c) => {
  const { session, subject } = await refreshed(c, "shopper", c.req.valid("json").refreshToken, findShopper);
  return c.json(shopperSession(session, subject), 200);
});
