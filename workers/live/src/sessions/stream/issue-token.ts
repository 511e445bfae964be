// issueStreamToken: the hot path. A LiveKit token for the video server and a room token for the room socket, for
// the session's host, a moderator it named, or any signed-in person as a viewer. With the session's metadata cached
// and the keys imported, this is two signatures and no I/O.
import { ProblemError } from "#shared/errors.ts";
import type { Actor } from "#shared/principal.ts";
import { refuseOver, type SessionMeta } from "../meta.ts";
import { type LiveKitConfig, liveKitToken, type StreamRole } from "./livekit.ts";
import { signRoomToken } from "./room-token.ts";

/** Viewer tokens are short: LiveKit checks expiry only when joining, and a client asks again to rejoin. */
export const TOKEN_TTL_SECONDS: Record<StreamRole, number> = { viewer: 600, moderator: 4 * 3600, host: 4 * 3600 };
const rank: Record<StreamRole, number> = { viewer: 0, moderator: 1, host: 2 };

export interface StreamToken {
  object: "live_stream_token";
  token: string;
  sfuUrl: string;
  roomToken: string;
  roomUrl: string;
  identity: string;
  role: StreamRole;
  expiresAt: string;
}

/** Who the caller is in the live session and the most they may be; 401 for no person, 404 for another merchant. */
function entitlement(meta: SessionMeta, actor: Actor): { identity: string; most: StreamRole } {
  switch (actor.type) {
    case "merchant":
      if (meta.hostType === "merchant" && actor.merchantId === meta.hostId && actor.scopes.includes("catalog:write")) {
        return { identity: actor.merchantId, most: "host" };
      }
      throw new ProblemError("not_found", `Live session ${meta.id} does not exist.`);
    case "creator":
      if (meta.hostType === "creator" && actor.creatorId === meta.hostId)
        return { identity: actor.creatorId, most: "host" };
      return { identity: actor.creatorId, most: meta.moderatorIds.includes(actor.creatorId) ? "moderator" : "viewer" };
    case "shopper":
      return { identity: actor.shopperId, most: meta.moderatorIds.includes(actor.shopperId) ? "moderator" : "viewer" };
    default:
      throw new ProblemError(
        "unauthorized",
        "Stream tokens are for signed-in shoppers and creators (Authorization: Bearer <JWT>) or the store's secret key.",
      );
  }
}

export async function issueStreamToken({
  env,
  config,
  meta,
  actor,
  input,
  requestUrl,
  now = Date.now(),
}: {
  env: Env;
  config: LiveKitConfig;
  meta: SessionMeta;
  actor: Actor;
  input: { role?: StreamRole | undefined; name?: string | undefined };
  requestUrl: string;
  now?: number;
}): Promise<StreamToken> {
  const { identity, most } = entitlement(meta, actor);
  refuseOver(meta);
  const role = input.role ?? most;
  if (rank[role] > rank[most])
    throw new ProblemError("forbidden", `You may not join live session ${meta.id} as ${role}.`);
  const name = role === "host" ? meta.hostName || identity : (input.name ?? `观众 ${identity.slice(-4)}`);
  const notBefore = Math.floor(now / 1000);
  const expiresAt = notBefore + TOKEN_TTL_SECONDS[role];
  const [token, roomToken] = await Promise.all([
    liveKitToken(config, { identity, name, room: meta.id, role, notBefore, expiresAt }),
    signRoomToken(env, { sessionId: meta.id, identity, name, role }, notBefore, expiresAt),
  ]);
  const roomUrl = new URL(`/v1/live/sessions/${meta.id}/room`, requestUrl);
  roomUrl.protocol = roomUrl.protocol === "https:" ? "wss:" : "ws:";
  return {
    object: "live_stream_token",
    token,
    sfuUrl: config.url,
    roomToken,
    roomUrl: roomUrl.toString(),
    identity,
    role,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
