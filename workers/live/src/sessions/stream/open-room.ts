// The room socket: a room token is verified before the upgrade (the room then checks bans), and the upgrade goes to
// the session's LiveRoom with the verified claims, the room's setup and the request's id in headers. The WebSocket
// goes through the gateway's service-binding forward unchanged.
import { ProblemError } from "#shared/errors.ts";
import { REQUEST_ID_HEADER } from "#shared/http.ts";
import { CLAIMS_HEADER, SETUP_HEADER } from "../../room/live-room.ts";
import { refuseOver, sessionMeta } from "../meta.ts";
import { roomSetup } from "../transition.ts";
import { verifyRoomToken } from "./room-token.ts";

export async function openRoom(
  env: Env,
  request: { sessionId: string; token: string | undefined; lastSeq: string | undefined; requestId: string },
): Promise<Response> {
  const { sessionId: id, token, lastSeq } = request;
  if (!token) throw new ProblemError("unauthorized", "The room needs a room token: ?token=<roomToken>.");
  const claims = await verifyRoomToken(env, token, id);
  if (!claims) throw new ProblemError("unauthorized", "The room token is invalid, expired, or for another session.");
  const meta = await sessionMeta(env, id);
  refuseOver(meta);
  const url = new URL("https://room/connect");
  if (lastSeq !== undefined) url.searchParams.set("lastSeq", lastSeq);
  const response = await env.LIVE_ROOM.getByName(id).fetch(url, {
    headers: {
      upgrade: "websocket",
      // URI-encoded: names are often Chinese, and header values are bytes.
      [CLAIMS_HEADER]: encodeURIComponent(JSON.stringify(claims)),
      [SETUP_HEADER]: encodeURIComponent(JSON.stringify(roomSetup(meta))),
      [REQUEST_ID_HEADER]: request.requestId,
    },
  });
  // A fresh response, so the middleware may stamp headers on it (a fetched one's are immutable).
  return new Response(response.body, {
    status: response.status,
    headers: response.headers,
    webSocket: response.webSocket,
  });
}
