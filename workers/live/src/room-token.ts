// Room tokens: an EdDSA JWT (audience `live-room`) admitting its holder to one session's room socket, signed with
// the platform's current signing key (shared/tokens.ts, the keys the gateway signs access tokens with). Keys are
// imported once per isolate and reloaded at most once a minute (so a rotation reaches every isolate within a
// minute); an unknown kid reloads them early, at most every 5 s.
import { importJWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { database } from "../../../shared/db.ts";
import { activeSigningKeys, ensureSigningKey, TOKEN_ALGORITHM } from "../../../shared/tokens.ts";
import type { StreamRole } from "./livekit.ts";

export const ROOM_AUDIENCE = "live-room";
const ROOM_ISSUER = "zhongcao-live";
const cacheTtlMs = 60_000;
const unknownKidReloadMs = 5_000;

interface KeySet {
  loadedAt: number;
  current: { kid: string; key: CryptoKey };
  verifying: Map<string, CryptoKey>;
}

// Resolved key sets only (workerd forbids awaiting another request's I/O), per database.
const cache = new Map<string, KeySet>();

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
  const set: KeySet = { loadedAt: Date.now(), current: { kid: current.kid, key: privateKey }, verifying };
  cache.set(env.LIBSQL_URL, set);
  return set;
}

async function keys(env: Env): Promise<KeySet> {
  const cached = cache.get(env.LIBSQL_URL);
  if (cached && Date.now() - cached.loadedAt < cacheTtlMs) return cached;
  return loadKeys(env);
}

export interface RoomClaims {
  sessionId: string;
  identity: string;
  name: string;
  role: StreamRole;
}

export async function signRoomToken(
  env: Env,
  claims: RoomClaims,
  notBefore: number,
  expiresAt: number,
): Promise<string> {
  const set = await keys(env);
  return new SignJWT({ sid: claims.sessionId, name: claims.name, role: claims.role })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: "JWT", kid: set.current.kid })
    .setIssuer(ROOM_ISSUER)
    .setAudience(ROOM_AUDIENCE)
    .setSubject(claims.identity)
    .setNotBefore(notBefore)
    .setIssuedAt(notBefore)
    .setExpirationTime(expiresAt)
    .sign(set.current.key);
}

const roles: readonly string[] = ["viewer", "host", "moderator"];

/** The claims of a valid room token for this session, or null (bad signature, kid, audience, expiry or session). */
export async function verifyRoomToken(env: Env, token: string, sessionId: string): Promise<RoomClaims | null> {
  let set = await keys(env);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        const kid = header.kid ?? "";
        let key = set.verifying.get(kid);
        if (!key && Date.now() - set.loadedAt > unknownKidReloadMs) {
          set = await loadKeys(env);
          key = set.verifying.get(kid);
        }
        if (!key) throw new Error("unknown kid");
        return key;
      },
      {
        algorithms: [TOKEN_ALGORITHM],
        issuer: ROOM_ISSUER,
        audience: ROOM_AUDIENCE,
        requiredClaims: ["sub", "exp", "nbf"],
        clockTolerance: 5,
      },
    ));
  } catch {
    return null;
  }
  const { sid, name, role, sub } = payload as JWTPayload & Record<string, unknown>;
  if (sid !== sessionId || typeof sub !== "string" || typeof name !== "string" || typeof role !== "string") return null;
  if (!roles.includes(role)) return null;
  return { sessionId, identity: sub, name, role: role as StreamRole };
}
