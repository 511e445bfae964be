// The hot path and the room: POST /{id}/token issues a LiveKit token and a room token; GET /{id}/room?token=…
// upgrades to the session's LiveRoom socket once the room token is verified (before the upgrade; the room then
// checks bans). The WebSocket goes through the gateway's service-binding forward unchanged.
import { createRoute } from "@hono/zod-openapi";
import { ProblemError } from "../../../../shared/errors.ts";
import { createRouter } from "../../../../shared/http.ts";
import { idParam, problemResponses } from "../../../../shared/openapi.ts";
import { principalOf } from "../../../../shared/principal.ts";
import { issueStreamToken } from "../issue-stream-token.ts";
import { CLAIMS_HEADER, SETUP_HEADER } from "../live-room.ts";
import { liveKitConfig } from "../livekit.ts";
import { verifyRoomToken } from "../room-token.ts";
import { StreamTokenRequestSchema, StreamTokenSchema } from "../session.ts";
import { roomSetup } from "../session-lifecycle.ts";
import { sessionMeta } from "../session-meta.ts";

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

export const streamRoutes = createRouter<{ Bindings: Env }>();

streamRoutes.openapi(tokenRoute, async (c) => {
  const { id } = c.req.valid("param");
  const config = liveKitConfig(c.env);
  if (!config)
    throw new ProblemError("service_unavailable", "The video server is not configured (LIVEKIT_API_SECRET).");
  const { actor } = principalOf(c);
  const meta = await sessionMeta(c.env, id);
  const input = c.req.header("content-length") === "0" || !c.req.header("content-type") ? {} : c.req.valid("json");
  const token = await issueStreamToken({ env: c.env, config, meta, actor, input, requestUrl: c.req.url });
  c.header("cache-control", "no-store");
  return c.json(token, 200);
});

streamRoutes.get("/:id{live_[0-9A-Za-z]{1,64}}/room", async (c) => {
  const id = c.req.param("id");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ProblemError("validation_failed", "The room is a WebSocket: send Upgrade: websocket.", {
      errors: [{ path: "/headers/upgrade", message: "must be websocket" }],
    });
  }
  const token = c.req.query("token");
  if (!token) throw new ProblemError("unauthorized", "The room needs a room token: ?token=<roomToken>.");
  const claims = await verifyRoomToken(c.env, token, id);
  if (!claims) throw new ProblemError("unauthorized", "The room token is invalid, expired, or for another session.");
  const meta = await sessionMeta(c.env, id);
  if (meta.status === "ended") throw new ProblemError("conflict", `Live session ${id} has ended.`);
  const lastSeq = c.req.query("lastSeq");
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
