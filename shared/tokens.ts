// The platform's token signing keys (Ed25519, EdDSA), kept in signing_keys: one current (signs), one previous
// (still verifies, so tokens signed before a rotation live out their 15 minutes), older ones retired (never verify).
// Used by the gateway (signing, verifying, JWKS), by `npm start` and by `npm run keys:rotate`.
import { inArray, sql } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { exportJWK, generateKeyPair } from "jose";
import { newId } from "./ids.ts";
import type * as schema from "./schema.ts";
import { signingKeys } from "./schema.ts";

type Db = LibSQLDatabase<typeof schema>;

export const TOKEN_ALGORITHM = "EdDSA";
export const TOKEN_AUDIENCE = "zhongcao-api";

export interface SigningKeyRow {
  kid: string;
  publicJwk: Record<string, string>;
  privateJwk: Record<string, string>;
  status: "current" | "previous" | "retired";
}

/** A fresh Ed25519 key pair as JWKs, named by a kid that sorts by creation. */
export async function generateSigningKey(): Promise<{
  kid: string;
  publicJwk: Record<string, string>;
  privateJwk: Record<string, string>;
}> {
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { crv: "Ed25519", extractable: true });
  // ids.ts has no prefix for key ids; the time-sortable body of a request id serves.
  const kid = `ed25519_${newId("req").slice(4)}`;
  const { x } = await exportJWK(publicKey);
  const { d } = await exportJWK(privateKey);
  if (!x || !d) throw new Error("Ed25519 key export gave no key material");
  const publicJwk = { kty: "OKP", crv: "Ed25519", x, kid, alg: TOKEN_ALGORITHM, use: "sig" };
  return { kid, publicJwk, privateJwk: { ...publicJwk, d } };
}

/**
 * Makes a current key if there is none. Race-safe: the insert and its NOT EXISTS check are one SQLite statement,
 * which takes the write lock before reading, so two callers at once still leave exactly one current key.
 */
export async function ensureSigningKey(db: Db): Promise<void> {
  const key = await generateSigningKey();
  await db.run(sql`INSERT INTO signing_keys (kid, public_jwk, private_jwk, status)
    SELECT ${key.kid}, ${JSON.stringify(key.publicJwk)}, ${JSON.stringify(key.privateJwk)}, 'current'
    WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE status = 'current')`);
}

/** The keys that verify (current and previous); one round trip. */
export async function activeSigningKeys(db: Db): Promise<SigningKeyRow[]> {
  return db
    .select({
      kid: signingKeys.kid,
      publicJwk: signingKeys.publicJwk,
      privateJwk: signingKeys.privateJwk,
      status: signingKeys.status,
    })
    .from(signingKeys)
    .where(inArray(signingKeys.status, ["current", "previous"]));
}

/**
 * One rotation, in one transaction: the previous key is retired (its private half erased), the current one becomes
 * previous, and a new key becomes current. Returns the new current kid.
 */
export async function rotateSigningKeys(db: Db, now = new Date()): Promise<string> {
  const next = await generateSigningKey();
  await db.batch([
    db.run(
      sql`UPDATE signing_keys SET status = 'retired', retired_at = ${now.toISOString()}, private_jwk = '{}' WHERE status = 'previous'`,
    ),
    db.run(sql`UPDATE signing_keys SET status = 'previous' WHERE status = 'current'`),
    db.insert(signingKeys).values({ ...next, status: "current" }),
  ]);
  return next.kid;
}
