// The platform's signing keys as each isolate uses them: imported once and cached for at most 30 s (so a rotation
// reaches every isolate within 30 s); a token with an unknown kid reloads them early, at most every 5 s. One cache
// for every Worker that signs or verifies platform tokens (the gateway's access tokens, the live Worker's room
// tokens), so the rules are the same everywhere.
import { importJWK, type JWTPayload, jwtVerify } from "jose";
import { type DatabaseConfig, database } from "./db.ts";
import { activeSigningKeys, ensureSigningKey, TOKEN_ALGORITHM } from "./tokens.ts";

const cacheTtlMs = 30_000;
// An unknown kid may be a key another isolate just made current; reload, but not more often than this.
const unknownKidReloadMs = 5_000;

export interface SigningKeySet {
  loadedAt: number;
  current: { kid: string; key: CryptoKey };
  verifying: Map<string, CryptoKey>;
  /** Newest first: the current key, then the previous one. */
  publicJwks: Record<string, string>[];
}

// Resolved key sets only (never a pending promise: workerd forbids awaiting another request's I/O), per database.
const cache = new Map<string, SigningKeySet>();

/** Drops the cached keys, as 30 s passing would (tests use it after a rotation); verified tokens go with them. */
export function forgetSigningKeys(): void {
  cache.clear();
}

async function loadSigningKeys(config: DatabaseConfig): Promise<SigningKeySet> {
  const db = database(config);
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
  const set: SigningKeySet = {
    loadedAt: Date.now(),
    current: { kid: current.kid, key: privateKey },
    verifying,
    publicJwks: [...rows]
      .sort((a, b) => (a.status === "current" ? -1 : b.status === "current" ? 1 : 0))
      .map((r) => r.publicJwk),
  };
  cache.set(config.LIBSQL_URL, set);
  return set;
}

export async function signingKeys(config: DatabaseConfig): Promise<SigningKeySet> {
  const cached = cache.get(config.LIBSQL_URL);
  if (cached && Date.now() - cached.loadedAt < cacheTtlMs) return cached;
  return loadSigningKeys(config);
}

const clockToleranceSeconds = 5;

/**
 * Tokens this isolate has verified, with the key set they were verified against: the same bytes under the same keys
 * verify the same way, so a token used again (a shopper's every request for 15 minutes) costs no signature check,
 * only its time claims, checked again as jose does. A new key set (every 30 s, or a token with an unknown kid)
 * leaves them all unused, so a retired key stops verifying as soon as it does without this. Bounded, oldest out.
 */
const verified = new Map<string, { payload: JWTPayload; keys: SigningKeySet }>();
const verifiedMax = 10_000;

function checkTimes(payload: JWTPayload): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp === "number" && payload.exp <= now - clockToleranceSeconds) throw new Error("expired");
  if (typeof payload.nbf === "number" && payload.nbf > now + clockToleranceSeconds) throw new Error("not yet valid");
}

/**
 * Verifies a JWT signed with one of the platform's keys: EdDSA only (no `none`, no HS/RS confusion), a kid we
 * publish, the given issuer and audience, exp and nbf (5 s of clock tolerance). Throws on any failure.
 */
export async function verifyPlatformJwt(
  config: DatabaseConfig,
  token: string,
  expected: { issuer: string; audience: string; requiredClaims: string[] },
): Promise<JWTPayload> {
  let keys = await signingKeys(config);
  const memo = `${expected.issuer} ${expected.audience} ${expected.requiredClaims.join(",")} ${token}`;
  const seen = verified.get(memo);
  if (seen && seen.keys === keys) {
    checkTimes(seen.payload);
    return seen.payload;
  }
  const { payload } = await jwtVerify(
    token,
    async (header) => {
      const kid = header.kid ?? "";
      let key = keys.verifying.get(kid);
      if (!key && Date.now() - keys.loadedAt > unknownKidReloadMs) {
        keys = await loadSigningKeys(config);
        key = keys.verifying.get(kid);
      }
      if (!key) throw new Error("unknown kid");
      return key;
    },
    { algorithms: [TOKEN_ALGORITHM], clockTolerance: clockToleranceSeconds, ...expected },
  );
  verified.set(memo, { payload, keys });
  if (verified.size > verifiedMax) verified.delete(verified.keys().next().value as string);
  return payload;
}
