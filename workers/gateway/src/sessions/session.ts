// Shopper and creator sessions: a short-lived access token (JWT) and an opaque refresh token, stored hashed, that is
// rotated on every use. All refresh tokens of one session share a family; presenting one that was already rotated
// means it was copied, so the whole family is revoked and even the newest one stops working.
import { and, eq, gt, sql } from "drizzle-orm";
import { sha256Hex } from "#shared/crypto.ts";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import type { Storefront } from "#shared/principal.ts";
import { refreshTokens } from "#shared/schema.ts";
import { issueAccessToken } from "./signing.ts";

export type SessionRole = "shopper" | "creator";

const refreshTtlMs = 30 * 24 * 3_600_000;

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `rt_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

// ids.ts is shared and has no session prefix; sessions use `ses_` on the same sortable body.
export const newSessionId = () => `ses_${newId("req").slice(4)}`;

export interface IssuedSession {
  sessionId: string;
  subjectId: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  storefront: Storefront | null;
}

async function refreshRow(familyId: string, role: SessionRole, subjectId: string, storefront: Storefront | null) {
  const refreshToken = randomToken();
  const expiresAt = new Date(Date.now() + refreshTtlMs).toISOString();
  return {
    refreshToken,
    row: {
      id: `rtk_${newId("req").slice(4)}`,
      familyId,
      subjectType: role,
      subjectId,
      keyId: storefront?.keyId ?? null,
      tokenHash: await sha256Hex(refreshToken),
      status: "active" as const,
      expiresAt,
    },
  };
}

/** Opens a session for a shopper or creator: a new refresh-token family and a first access token. */
export async function openSession(
  env: Env,
  input: { role: SessionRole; subjectId: string; storefront: Storefront | null },
): Promise<IssuedSession> {
  const sessionId = newSessionId();
  const { refreshToken, row } = await refreshRow(sessionId, input.role, input.subjectId, input.storefront);
  const [access] = await Promise.all([
    issueAccessToken(env, { role: input.role, subject: input.subjectId, sessionId, storefront: input.storefront }),
    database(env).insert(refreshTokens).values(row),
  ]);
  return {
    sessionId,
    subjectId: input.subjectId,
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    refreshTokenExpiresAt: row.expiresAt,
    storefront: input.storefront,
  };
}

const invalid = () => new ProblemError("unauthorized", "The refresh token is invalid, expired or revoked.");

/**
 * Trades a refresh token for a new one and a new access token. The old token is marked rotated by a conditional
 * update, so of two concurrent uses exactly one wins; the loser (and any later reuse) revokes the family.
 * `storefrontOf` names the storefront again from the key id kept on the row.
 */
export async function refreshSession(
  env: Env,
  role: SessionRole,
  presented: string,
  storefrontOf: (keyId: string) => Promise<Storefront | null>,
): Promise<IssuedSession> {
  const db = database(env);
  const hash = await sha256Hex(presented);
  const now = new Date().toISOString();
  const [rotated] = await db
    .update(refreshTokens)
    .set({ status: "rotated" })
    .where(
      and(
        eq(refreshTokens.tokenHash, hash),
        eq(refreshTokens.subjectType, role),
        eq(refreshTokens.status, "active"),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  if (!rotated) {
    // Not active: unknown, expired, revoked, or (the case that matters) already rotated, i.e. replayed.
    await db
      .update(refreshTokens)
      .set({ status: "revoked" })
      .where(
        sql`${refreshTokens.familyId} = (SELECT family_id FROM refresh_tokens WHERE token_hash = ${hash} AND status = 'rotated')`,
      );
    throw invalid();
  }
  const storefront = rotated.keyId ? await storefrontOf(rotated.keyId) : null;
  const { refreshToken, row } = await refreshRow(rotated.familyId, role, rotated.subjectId, storefront);
  // Only into a family nobody revoked meanwhile (a concurrent replay of the same token).
  const [inserted, access] = await Promise.all([
    db.run(sql`INSERT INTO refresh_tokens (id, family_id, subject_type, subject_id, key_id, token_hash, status, expires_at)
      SELECT ${row.id}, ${row.familyId}, ${row.subjectType}, ${row.subjectId}, ${row.keyId}, ${row.tokenHash}, 'active', ${row.expiresAt}
      WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ${row.familyId} AND status = 'revoked')`),
    issueAccessToken(env, { role, subject: rotated.subjectId, sessionId: rotated.familyId, storefront }),
  ]);
  if (inserted.rowsAffected !== 1) throw invalid();
  return {
    sessionId: rotated.familyId,
    subjectId: rotated.subjectId,
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    refreshTokenExpiresAt: row.expiresAt,
    storefront,
  };
}
