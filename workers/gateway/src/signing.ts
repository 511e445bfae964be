// Access tokens: signed with the current signing key, verified against current and previous. The keys are cached per
// isolate for at most 30 s (so a rotation takes effect within 30 s everywhere); an unknown kid reloads them early.
import { importJWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { database } from "../../../shared/db.ts";
import { ProblemError } from "../../../shared/errors.ts";
import { newId } from "../../../shared/ids.ts";
import type { Storefront } from "../../../shared/principal.ts";
import { activeSigningKeys, ensureSigningKey, TOKEN_ALGORITHM, TOKEN_AUDIENCE } from "../../../shared/tokens.ts";

const cacheTtlMs = 30_000;
// An unknown kid may be a key another isolate just made current; reload, but not more often than this.
const unknownKidReloadMs = 5_000;

interface KeySet {
  loadedAt: number;
  current: { kid: string; key: CryptoKey };
  verifying: Map<string, CryptoKey>;
  publicJwks: Record<string, string>[];
}

// Resolved key sets only (never a pending promise: workerd forbids awaiting another request's I/O), per database.
const cache = new Map<string, KeySet>();

/** Drops the cached keys, as 30 s passing would (tests use it after a rotation). */
export function forgetSigningKeys(): void {
  cache.clear();
}

async function loadKeys(env: Env): Promise<KeySet> {
  const db = database(env);
  let rows = await activeSigningKeys(db);
  if (!rows.some((r) => r.status === "current")) {
    await ensureSigningKey(db);
    rows = await activeSigningKeys(db);
  }
  const current = rows.find((r) => r.status === "current");
  if (!current) throw new Error("no current signing key after creating one");
  const verifying = new Map<string, CryptoKey>();
  for (const row of rows) {
    const key = await importJWK(row.publicJwk, TOKEN_ALGORITHM);
    if (key instanceof CryptoKey) verifying.set(row.kid, key);
  }
  const privateKey = await importJWK(current.privateJwk, TOKEN_ALGORITHM);
  if (!(privateKey instanceof CryptoKey)) throw new Error("the current signing key is not a private JWK");
  const set: KeySet = {
    loadedAt: Date.now(),
    current: { kid: current.kid, key: privateKey },
    verifying,
    // Newest first: the current key, then the previous one.
    publicJwks: [...rows]
      .sort((a, b) => (a.status === "current" ? -1 : b.status === "current" ? 1 : 0))
      .map((r) => r.publicJwk),
  };
  cache.set(env.LIBSQL_URL, set);
  return set;
}

export async function signingKeys(env: Env): Promise<KeySet> {
  const cached = cache.get(env.LIBSQL_URL);
  if (cached && Date.now() - cached.loadedAt < cacheTtlMs) return cached;
  return loadKeys(env);
}

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
  return typeof v.keyId === "string" && typeof v.merchantId === "string";
}

/**
 * Verifies one of our access tokens: EdDSA only (no `none`, no HS/RS confusion), a kid we publish, our issuer and
 * audience, exp and nbf. Any failure is a 401 problem, never a 500.
 */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims> {
  let keys = await signingKeys(env);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        const kid = header.kid ?? "";
        let key = keys.verifying.get(kid);
        if (!key && Date.now() - keys.loadedAt > unknownKidReloadMs) {
          keys = await loadKeys(env);
          key = keys.verifying.get(kid);
        }
        if (!key) throw new Error("unknown kid");
        return key;
      },
      {
        algorithms: [TOKEN_ALGORITHM],
        issuer: tokenIssuer(env),
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["sub", "exp", "nbf", "iat"],
        clockTolerance: 5,
      },
    ));
  } catch {
    throw new ProblemError("unauthorized", "The access token is invalid or has expired.");
  }
  const { role, sid, sub, storefront } = payload as JWTPayload & Record<string, unknown>;
  if ((role !== "shopper" && role !== "creator") || typeof sid !== "string" || typeof sub !== "string") {
    throw new ProblemError("unauthorized", "The access token is invalid or has expired.");
  }
  return { role, subject: sub, sessionId: sid, storefront: isStorefront(storefront) ? storefront : null };
}
