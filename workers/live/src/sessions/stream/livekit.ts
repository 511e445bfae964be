// LiveKit access tokens (the video server's own format: HS256 with the API secret, `iss` the API key, a `video`
// grant) and the check of its webhooks' signatures. The HMAC key is imported once per isolate and secret.
import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import { ProblemError } from "#shared/errors.ts";

export type StreamRole = "viewer" | "host" | "moderator";

export interface LiveKitConfig {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** The video server's settings; without its secret no token is issued and no webhook accepted (503). */
export function liveKitConfig(env: Env): LiveKitConfig {
  if (!env.LIVEKIT_API_SECRET || !env.LIVEKIT_API_KEY) {
    throw new ProblemError("service_unavailable", "The video server is not configured (LIVEKIT_API_SECRET).");
  }
  return {
    url: env.LIVEKIT_URL || "ws://127.0.0.1:7880",
    apiKey: env.LIVEKIT_API_KEY,
    apiSecret: env.LIVEKIT_API_SECRET,
  };
}

// Resolved keys only, keyed by the secret itself (a rotated secret gets its own key).
const hmacKeys = new Map<string, CryptoKey>();

async function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = hmacKeys.get(secret);
  if (cached) return cached;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  hmacKeys.set(secret, key);
  return key;
}

/** The `video` grant by role: everyone joins and subscribes; only the host publishes; chat is the room socket's. */
export function videoGrant(room: string, role: StreamRole) {
  return {
    room,
    roomJoin: true,
    canSubscribe: true,
    canPublish: role === "host",
    canPublishData: role === "host",
    roomAdmin: role !== "viewer",
  };
}

export async function liveKitToken(
  config: LiveKitConfig,
  claims: { identity: string; name: string; room: string; role: StreamRole; notBefore: number; expiresAt: number },
): Promise<string> {
  return new SignJWT({
    name: claims.name,
    video: videoGrant(claims.room, claims.role),
    metadata: JSON.stringify({ role: claims.role }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(config.apiKey)
    .setSubject(claims.identity)
    .setJti(claims.identity)
    .setNotBefore(claims.notBefore)
    .setExpirationTime(claims.expiresAt)
    .sign(await hmacKey(config.apiSecret));
}

function base64(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A webhook's signature: the Authorization header is a JWT (HS256, our API key as issuer, unexpired) whose
 * `sha256` claim is the base64 SHA-256 of the exact body. False for anything else.
 */
export async function verifyWebhook(
  config: LiveKitConfig,
  authorization: string | undefined,
  body: string,
): Promise<boolean> {
  if (!authorization) return false;
  const token = authorization.replace(/^Bearer\s+/i, "").trim();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await hmacKey(config.apiSecret), {
      algorithms: ["HS256"],
      issuer: config.apiKey,
      requiredClaims: ["exp"],
      clockTolerance: 10,
    }));
  } catch {
    return false;
  }
  const claimed = payload.sha256;
  if (typeof claimed !== "string") return false;
  const actual = base64(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(claimed)),
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(actual)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
