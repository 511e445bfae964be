// Access tokens: signed with the current signing key, verified against current and previous (the keys and their
// per-isolate cache: shared/signing-keys.ts).
import { type JWTPayload, SignJWT } from "jose";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import type { Storefront } from "#shared/principal.ts";
import { signingKeys, verifyPlatformJwt } from "#shared/signing-keys.ts";
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE } from "#shared/tokens.ts";

export function tokenIssuer(env: Env): string {
  return env.TOKEN_ISSUER || "https://zhongcao.local";
}

export function accessTokenTtlSeconds(env: Env): number {
  const ttl = Number(env.ACCESS_TOKEN_TTL_SECONDS);
  return Number.isInteger(ttl) && ttl > 0 ? ttl : 900;
}

export interface AccessClaims {
  role: "shopper" | "creator";
  subject: string;
  sessionId: string;
  storefront: Storefront | null;
}

export async function issueAccessToken(env: Env, claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
  const keys = await signingKeys(env);
  const expiresIn = accessTokenTtlSeconds(env);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    role: claims.role,
    sid: claims.sessionId,
    ...(claims.storefront ? { storefront: claims.storefront } : {}),
  })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: "JWT", kid: keys.current.kid })
    .setIssuer(tokenIssuer(env))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.subject)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + expiresIn)
    .setJti(newId("req").slice(4))
    .sign(keys.current.key);
  return { token, expiresIn };
}

function isStorefront(value: unknown): value is Storefront {
  if (!value || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.keyId === "string" &&
    typeof v.merchantId === "string" &&
    (v.mode === undefined || v.mode === "test" || v.mode === "live")
  );
}

/**
 * Verifies one of our access tokens: EdDSA only (no `none`, no HS/RS confusion), a kid we publish, our issuer and
 * audience, exp and nbf. Any failure is a 401 problem, never a 500.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims> {
  let payload: JWTPayload;
  try {
    payload = await verifyPlatformJwt(env, token, {
      issuer: tokenIssuer(env),
      audience: TOKEN_AUDIENCE,
      requiredClaims: ["sub", "exp", "nbf", "iat"],
    });
  } catch {
    throw new ProblemError("unauthorized", "The access token is invalid or has expired.");
  }
  const { role, sid, sub, storefront } = payload as JWTPayload & Record<string, unknown>;
  if ((role !== "shopper" && role !== "creator") || typeof sid !== "string" || typeof sub !== "string") {
    throw new ProblemError("unauthorized", "The access token is invalid or has expired.");
  }
  return { role, subject: sub, sessionId: sid, storefront: isStorefront(storefront) ? storefront : null };
}
