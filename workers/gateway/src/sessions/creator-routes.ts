// Creator sessions: opened with a creator key or an ID token from a creator-role issuer (the first sign-in makes the
// creator); renewed like shopper sessions, with a refresh token rotated on every use.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { sha256Hex } from "#shared/crypto.ts";
import { type Database, database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, jsonBody } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { creators } from "#shared/schema.ts";
import { findCreatorByKey } from "../api-keys/keys.ts";
import { CreatorSchema, toCreator } from "../creators/routes.ts";
import { verifyIdToken } from "./oidc.ts";
import { openSession } from "./session.ts";
import { idToken, onIdentity, refreshed, refreshRoute, sessionFields, tokens } from "./session-api.ts";

const CreatorSessionSchema = z
  .object({ ...sessionFields, object: z.literal("creator_session"), creator: CreatorSchema })
  .openapi("CreatorSession");

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

const openCreatorSession = route(
  "POST /",
  "Open a creator session with a creator key or an ID token from a creator-role issuer",
  {
    request: { body: jsonBody(CreatorSessionCreateSchema) },
    responses: created(CreatorSessionSchema, "The session", 400, 401),
  },
);

const refreshCreatorSession = refreshRoute("creator", CreatorSessionSchema);

/** What opening and refreshing a creator session answer: its tokens and the creator. */
function creatorSession(session: Parameters<typeof tokens>[0], creator: Parameters<typeof toCreator>[0]) {
  return { ...tokens(session), object: "creator_session" as const, creator: toCreator(creator) };
}

const findCreator = (db: Database, id: string) => db.query.creators.findFirst({ where: eq(creators.id, id) });

export const creatorSessionRoutes = createRouter<{ Bindings: Env }>();

creatorSessionRoutes.openapi(openCreatorSession, async (c) => {
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
      .onConflictDoUpdate(onIdentity(creators))
      .returning();
  }
  if (!creator) throw new Error("no creator after sign-in");
  const { storefront } = c.get("principal");
  const session = await openSession(c.env, { role: "creator", subjectId: creator.id, storefront });
  return c.json(creatorSession(session, creator), 201);
});

creatorSessionRoutes.openapi(refreshCreatorSession, async (c) => {
  const { session, subject } = await refreshed(c, "creator", c.req.valid("json").refreshToken, findCreator);
  return c.json(creatorSession(session, subject), 200);
});
