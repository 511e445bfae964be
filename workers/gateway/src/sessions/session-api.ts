// What shopper and creator sessions share: the token fields of a session, the one row per OIDC identity, and the
// refresh (its route, the check that the storefront the session was opened through still works, the subject read again).
import { z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { type Database, database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { jsonBody, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import type { Storefront } from "#shared/principal.ts";
import { apiKeys, type creators, type shoppers } from "#shared/schema.ts";
import { modeOf } from "../api-keys/keys.ts";
import { type IssuedSession, refreshSession, type SessionRole } from "./session.ts";

export const sessionFields = {
  id: z.string().openapi({ description: "The session (its refresh-token family)", example: "ses_01JDEMO…" }),
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires." }),
  refreshToken: z.string().openapi({ description: "Single use: each refresh returns a new one." }),
  refreshTokenExpiresAt: z.string(),
};

export const idToken = z
  .string()
  .min(1)
  .max(8192)
  .openapi({ description: "An ID token from an accepted OIDC issuer." });

export const RefreshSchema = z
  .object({ refreshToken: z.string().min(1).max(200) })
  .strict()
  .openapi("SessionRefresh");

export function tokens(s: IssuedSession) {
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
      .select({ merchantId: apiKeys.merchantId, displayPrefix: apiKeys.displayPrefix })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
    if (!row?.merchantId)
      throw new ProblemError("unauthorized", "The storefront the session was opened through has been revoked.");
    return { keyId, merchantId: row.merchantId, mode: modeOf(row.displayPrefix) };
  };
}

/**
 * The conflict clause of the insert that signs a person in by an ID token: one shopper or creator per (issuer,
 * subject), made on the first sign-in; the no-op update makes RETURNING give the existing row too, in one round trip.
 */
export function onIdentity(table: typeof shoppers | typeof creators) {
  return { target: [table.oidcIssuer, table.oidcSubject], set: { oidcSubject: sql`excluded.oidc_subject` } };
}

const unknownSubject = () => new ProblemError("unauthorized", "The account the session belongs to no longer exists.");

/** POST …/refresh of a session kind, answered with that kind's session. */
export function refreshRoute(role: SessionRole, schema: z.ZodType) {
  return route("POST /refresh", `Trade a ${role} refresh token for new tokens (the old one stops working)`, {
    request: { body: jsonBody(RefreshSchema) },
    responses: ok(schema, "The session, with new tokens", 400, 401),
  });
}

/** Rotates the presented refresh token and reads the session's subject again (gone since: a 401). */
export async function refreshed<Subject>(
  c: Context<{ Bindings: Env }>,
  role: SessionRole,
  refreshToken: string,
  subjectOf: (db: Database, id: string) => Promise<Subject | undefined>,
): Promise<{ session: IssuedSession; subject: Subject }> {
  const session = await refreshSession(c.env, role, refreshToken, storefrontLookup(c));
  const subject = await subjectOf(database(c.env), session.subjectId);
  if (!subject) throw unknownSubject();
  return { session, subject };
}
