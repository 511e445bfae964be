// Room tokens: an EdDSA JWT (audience `live-room`) admitting its holder to one session's room socket, signed with
// the platform's current signing key (the keys the gateway signs access tokens with, cached per isolate by
// shared/signing-keys.ts).
import { type JWTPayload, SignJWT } from "jose";
import { signingKeys, verifyPlatformJwt } from "#shared/signing-keys.ts";
import { TOKEN_ALGORITHM } from "#shared/tokens.ts";
import type { StreamRole } from "./livekit.ts";

export const ROOM_AUDIENCE = "live-room";
const ROOM_ISSUER = "zhongcao-live";
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
  const set = await signingKeys(env);
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

/** The claims of a valid room token for the live session, or null (bad signature, kid, audience, expiry or session). */
export async function verifyRoomToken(env: Env, token: string, sessionId: string): Promise<RoomClaims | null> {
  let payload: JWTPayload;
  try {
    payload = await verifyPlatformJwt(env, token, {
      issuer: ROOM_ISSUER,
      audience: ROOM_AUDIENCE,
      requiredClaims: ["sub", "exp", "nbf"],
    });
  } catch {
    return null;
  }
  const { sid, name, role, sub } = payload as JWTPayload & Record<string, unknown>;
  if (sid !== sessionId || typeof sub !== "string" || typeof name !== "string" || typeof role !== "string") return null;
  if (!roles.includes(role)) return null;
  return { sessionId, identity: sub, name, role: role as StreamRole };
}
