// The hot path and the room: POST /{id}/token issues a LiveKit token and a room token; GET /{id}/room?token=…
// upgrades to the session's LiveRoom socket once the room token is verified (before the upgrade; the room then
// checks bans). The WebSocket goes through the gateway's service-binding forward unchanged.
import { createRoute, z } from "@hono/zod-openapi";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idParam, problemResponses } from "#shared/openapi.ts";
import { principalOf } from "#shared/principal.ts";
import { issueStreamToken } from "../issue-stream-token.ts";
import { BUFFER_SIZE, CLAIMS_HEADER, SETUP_HEADER } from "../live-room.ts";
import { liveKitConfig } from "../livekit.ts";
import { recordStreamView } from "../record-stream-view.ts";
import { ClientMessage, ServerFrame } from "../room/protocol.ts";
import { verifyRoomToken } from "../room-token.ts";
import { StreamTokenRequestSchema, StreamTokenSchema } from "../session.ts";
import { roomSetup } from "../session-lifecycle.ts";
import { refuseOver, sessionMeta } from "../session-meta.ts";

const tokenRoute = createRoute({
  method: "post",
  path: "/{id}/token",
  summary: "Stream tokens: the video server's and the room socket's",
  description:
    "For a signed-in shopper or creator (viewer, or moderator when the host named them) or the host (the creator, or the store's secret key with `catalog:write`). Viewer tokens last 10 minutes; ask again to rejoin. Ended or unknown sessions get no token.",
  request: {
    params: idParam("live"),
    body: { required: false, content: { "application/json": { schema: StreamTokenRequestSchema } } },
  },
  responses: {
    200: { description: "The tokens", content: { "application/json": { schema: StreamTokenSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

const frameRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const roomRoute = createRoute({
  method: "get",
  path: "/{id}/room",
  summary: "The room socket (WebSocket upgrade)",
  description: `Open with \`Upgrade: websocket\` at the \`roomUrl\` a token call returned, with \`?token=<roomToken>\`; the token is checked before the upgrade (missing, invalid or another session's: 401; banned: 403; ended or cancelled: 409). The socket then carries JSON text frames: the client sends \`LiveRoomClientFrame\`, the room sends \`LiveRoomServerFrame\` (broadcasts with \`seq\`, direct frames without). Reconnect with \`lastSeq\` to receive what you missed from the last ${BUFFER_SIZE} broadcasts.`,
  request: {
    params: idParam("live"),
    query: z.object({
      token: z.string().optional().openapi({ description: "The roomToken (required: without it, 401)." }),
      lastSeq: z
        .string()
        .regex(/^\d{1,15}$/, "a broadcast sequence number")
        .optional()
        .openapi({ description: "The last `seq` this client received, to resume." }),
    }),
    headers: z.object({ upgrade: z.string().regex(/^websocket$/i, "must be websocket") }),
  },
  responses: {
    101: {
      description:
        "Switching Protocols: the room socket. Its frames: `x-websocket.clientFrame` (sent) and `x-websocket.serverFrame` (received).",
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
  "x-websocket": { clientFrame: frameRef("LiveRoomClientFrame"), serverFrame: frameRef("LiveRoomServerFrame") },
});

export const streamRoutes = createRouter<{ Bindings: Env }>();
// The frames' schemas are referenced by name above (an upgrade carries no body to hold them), so they are registered.
streamRoutes.openAPIRegistry.register("LiveRoomClientFrame", ClientMessage);
streamRoutes.openAPIRegistry.register("LiveRoomServerFrame", ServerFrame);

streamRoutes.openapi(tokenRoute, async (c) => {
  const { id } = c.req.valid("param");
  const config = liveKitConfig(c.env);
  if (!config)
    throw new ProblemError("service_unavailable", "The video server is not configured (LIVEKIT_API_SECRET).");
  const { actor } = principalOf(c);
  const meta = await sessionMeta(c.env, id);
  const input = c.req.header("content-length") === "0" || !c.req.header("content-type") ? {} : c.req.valid("json");
  const token = await issueStreamToken({ env: c.env, config, meta, actor, input, requestUrl: c.req.url });
  if (token.role === "viewer") recordStreamView(c.env, c.executionCtx, id, token.identity);
  c.header("cache-control", "no-store");
  return c.json(token, 200);
});

streamRoutes.openapi(roomRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { token, lastSeq } = c.req.valid("query");
  if (!token) throw new ProblemError("unauthorized", "The room needs a room token: ?token=<roomToken>.");
  const claims = await verifyRoomToken(c.env, token, id);
  if (!claims) throw new ProblemError("unauthorized", "The room token is invalid, expired, or for another session.");
  const meta = await sessionMeta(c.env, id);
  refuseOver(meta);
  const url = new URL("https://room/connect");
  if (lastSeq !== undefined) url.searchParams.set("lastSeq", lastSeq);
  const response = await c.env.LIVE_ROOM.getByName(id).fetch(url, {
    headers: {
      upgrade: "websocket",
      // URI-encoded: names are often Chinese, and header values are bytes.
      [CLAIMS_HEADER]: encodeURIComponent(JSON.stringify(claims)),
      [SETUP_HEADER]: encodeURIComponent(JSON.stringify(roomSetup(meta))),
    },
  });
  // A fresh response, so the middleware may stamp headers on it (a fetched one's are immutable).
  return new Response(response.body, {
    status: response.status,
    headers: response.headers,
    webSocket: response.webSocket,
  });
});
