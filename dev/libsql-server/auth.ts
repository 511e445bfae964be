// JWT auth like sqld's `--auth-jwt-key`: Ed25519 public key, tokens signed with alg EdDSA.

import type { CryptoKey } from "jose";
import { importJWK, importSPKI, jwtVerify } from "jose";

export type JwtKey = CryptoKey;

/**
 * Parse an Ed25519 public key given as
 * - base64url (or base64) of the raw 32-byte key — the format sqld's `--auth-jwt-key` takes,
 * - PEM (`-----BEGIN PUBLIC KEY-----`, SPKI), or
 * - a JWK JSON object (`{"kty":"OKP","crv":"Ed25519","x":"..."}`).
 */
export async function parseJwtKey(text: string): Promise<JwtKey> {
  const spec = text.trim();
  let key: CryptoKey | Uint8Array;
  if (spec.startsWith("-----BEGIN")) {
    key = await importSPKI(spec, "EdDSA");
  } else if (spec.startsWith("{")) {
    const jwk: unknown = JSON.parse(spec);
    if (typeof jwk !== "object" || jwk === null) throw new Error("JWK must be a JSON object");
    key = await importJWK({ ...jwk, alg: undefined }, "EdDSA");
  } else {
    const raw = Buffer.from(spec, "base64");
    if (raw.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(spec)) {
      throw new Error("JWT key must be a base64url raw 32-byte Ed25519 public key, a PEM public key or a JWK");
    }
    key = await importJWK({ kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, "EdDSA");
  }
  if (key instanceof Uint8Array) throw new Error("JWT key must be an Ed25519 public key");
  return key;
}

/** Check an `Authorization` header; returns an error message, or undefined when the request may pass. */
export async function checkAuthorization(header: string | undefined, key: JwtKey): Promise<string | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  if (token === undefined) return "Authorization: Bearer <JWT> header is required";
  try {
    // Pinned algorithm: no alg confusion (HS256 with the public key as secret, `none`, ...). `exp`/`nbf` are checked when present.
    await jwtVerify(token, key, { algorithms: ["EdDSA"] });
    return undefined;
  } catch (e) {
    return `Invalid JWT: ${e instanceof Error ? e.message : String(e)}`;
  }
}
