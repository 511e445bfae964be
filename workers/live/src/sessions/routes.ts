// Everything under /v1/live/sessions: public reads (the feed's list, live first; one session with its shelf and viewer
// count), the host's schedule, edit, start, end and cancel, a person's reminder, stream tokens, the room socket (a
// WebSocket upgrade), and an ended session's replay.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { etagOf } from "#shared/etag.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { type MediaOwner, withMediaOf } from "#shared/media.ts";
import { created, jsonBody, ok, problemResponses } from "#shared/openapi/responses.ts";
import { actionRoutes, createResourceRoute, reminderRoutes, retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idParam, pageOf } from "#shared/openapi/schemas.ts";
import { pageQuery } from "#shared/pagination.ts";
import { checkFirst, personId, principalOf, requirePerson } from "#shared/principal.ts";
import { BUFFER_SIZE } from "../room/core.ts";
import { ClientMessage, ServerFrame } from "../room/protocol.ts";
import { getSession, viewerCount } from "./get.ts";
import { getReplay } from "./get-replay.ts";
import { assertHosts, requireHost } from "./host.ts";
import { listSessions } from "./list.ts";
import { type SessionMeta, sessionMeta } from "./meta.ts";
import { cancelReminder, setReminder } from "./remind.ts";
import { type SessionHost, scheduleSession } from "./schedule.ts";
import {
  type LiveSession,
  LiveSessionCreateSchema,
  LiveSessionSchema,
  LiveSessionUpdateSchema,
  ReplaySchema,
  StreamTokenRequestSchema,
  StreamTokenSchema,
  toLiveSession,
} from "./session.ts";
import { issueStreamToken } from "./stream/issue-token.ts";
import { liveKitConfig } from "./stream/livekit.ts";
import { openRoom } from "./stream/open-room.ts";
import { recordStreamView } from "./stream/record-view.ts";
import { cancelSession, configureRoom, endSession, startSession } from "./transition.ts";
import { updateSession } from "./update.ts";

const statusList = z
  .string()
  .regex(
    /^(scheduled|live|ended|cancelled)(,(scheduled|live|ended|cancelled))*$/,
    "a comma-separated list of scheduled, live, ended, cancelled",
  )
  .default("live,scheduled");

const listRoute = route("GET /", "List live sessions: live first, then scheduled by start time", {
  request: {
    query: pageQuery
      .extend({
        status: statusList.openapi({ description: "Default `live,scheduled`; `ended` alone lists newest first." }),
        hostId: z
          .string()
          .regex(/^(cre|mer)_[0-9A-Za-z]{1,64}$/)
          .optional()
          .openapi({ description: "A creator's or merchant's sessions." }),
      })
      .strict(),
  },
  responses: ok(pageOf(LiveSessionSchema), "A page of sessions", 400),
});

const getRoute = retrieveRoute(
  "live",
  "Retrieve a live session with its product shelf and viewer count",
  ok(LiveSessionSchema, "The live session", 400, 404),
);

const createSessionRoute = createResourceRoute(
  "Schedule a live session with its product shelf",
  LiveSessionCreateSchema,
  created(LiveSessionSchema, "The session (Location, ETag)", 400, 401, 403, 409, 422),
  {
    caller: checkFirst(requireHost),
    description:
      "A creator (access token) or a merchant's store (secret key with `catalog:write`). A creator may shelve only products whose product and merchant allow promotion; the commission rate is fixed on the shelf. Takes an optional Idempotency-Key.",
  },
);

const updateRoute = route("PATCH /{id}", "Edit a scheduled session: title, cover, start time, shelf (the host)", {
  caller: checkFirst(requireHost),
  description:
    "Send If-Match with the ETag you read: a stale one gets 412. Once live, ended or cancelled: 409. A new shelf follows the same rules as at scheduling.",
  request: { params: idParam("live"), body: jsonBody(LiveSessionUpdateSchema) },
  responses: ok(LiveSessionSchema, "The session (ETag)", 400, 401, 403, 404, 409, 412),
});

const transitionSummaries = {
  start: "Go live (the host); reminder holders are notified",
  end: "End the session (the host); its replay follows",
  cancel: "Cancel a scheduled session (the host); reminder holders are notified",
};

const transition = actionRoutes(
  "live",
  ok(LiveSessionSchema, "The session", 400, 401, 403, 404, 409),
  checkFirst(requireHost),
);
const transitionRoute = (verb: "start" | "end" | "cancel") =>
  transition(
    verb,
    transitionSummaries[verb],
    verb === "cancel"
      ? "Idempotent. Only a scheduled session: live or ended is 409. Tokens and the room then answer `session_cancelled`."
      : "Idempotent. The video server's room_started and room_finished webhooks do the same. A cancelled session answers `session_cancelled`.",
  );

const reminder = reminderRoutes(
  "live",
  "Remind me when this live session starts",
  "A signed-in shopper or creator, while the session is scheduled (409 once it is live or over). Idempotent.",
);

const tokenRoute = route("POST /{id}/token", "Stream tokens: the video server's and the room socket's", {
  description:
    "For a signed-in shopper or creator (viewer, or moderator when the host named them) or the host (the creator, or the store's secret key with `catalog:write`). Viewer tokens last 10 minutes; ask again to rejoin. Ended or unknown sessions get no token.",
  request: { params: idParam("live"), body: jsonBody(StreamTokenRequestSchema, false) },
  responses: ok(StreamTokenSchema, "The tokens", 400, 401, 403, 404, 409, 503),
});

const frameRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const roomRoute = route("GET /{id}/room", "The room socket (WebSocket upgrade)", {
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

const replayRoute = route("GET /{id}/replay", "An ended session's recording and product timeline", {
  request: { params: idParam("live") },
  responses: ok(ReplaySchema, "The replay", 400, 404, 409),
});

export const sessionRoutes = createRouter<{ Bindings: Env }>();
// The frames' schemas are referenced by name above (an upgrade carries no body to hold them), so they are registered.
sessionRoutes.openAPIRegistry.register("LiveRoomClientFrame", ClientMessage);
sessionRoutes.openAPIRegistry.register("LiveRoomServerFrame", ServerFrame);

sessionRoutes.openapi(listRoute, async (c) => {
  const query = c.req.valid("query");
  const statuses = [...new Set(query.status.split(","))] as LiveSession["status"][];
  const { rows, shelf, nextCursor } = await listSessions({
    db: database(c.env),
    statuses,
    hostId: query.hostId,
    limit: query.limit,
    cursor: query.cursor,
  });
  const counts = await Promise.all(rows.map((r) => viewerCount(c.env, r)));
  const data = rows.map((r, i) =>
    toLiveSession(
      r,
      shelf.filter((s) => s.sessionId === r.id).map((s) => s.productId),
      counts[i] ?? 0,
    ),
  );
  c.header("cache-control", "public, max-age=5");
  return c.json({ data, nextCursor }, 200);
});

sessionRoutes.openapi(getRoute, async (c) => {
  const { session, version } = await getSession(c.env, c.req.valid("param").id);
  c.header("etag", etagOf({ id: session.id, version }));
  return c.json(session, 200);
});

sessionRoutes.post("/", idempotency({ required: false }));
sessionRoutes.openapi(createSessionRoute, async (c) => {
  const host = requireHost(c);
  const db = database(c.env);
  const input = await withMediaOf(db, c.env.MEDIA_URL, mediaOwnerOf(host), c.req.valid("json"));
  const row = await scheduleSession({ db, host, input });
  // The room is made (and given its shelf and keyword filter) now, so the first viewer finds it ready.
  await configureRoom(c.env, row.id, input.keywordFilter);
  c.header("location", `/v1/live/sessions/${row.id}`);
  c.header("etag", etagOf(row));
  return c.json(toLiveSession(row, input.productIds, 0), 201);
});

async function hostedSession(c: Context<{ Bindings: Env }>, id: string): Promise<SessionMeta> {
  const host = requireHost(c);
  const meta = await sessionMeta(c.env, id, 0);
  assertHosts(meta, host);
  return meta;
}

/** The session as it is after a change by its host, with its new ETag; the edge's copies are purged. */
async function changed(c: Context<{ Bindings: Env }>, id: string) {
  const { session, version } = await getSession(c.env, id);
  purge(c, `/v1/live/sessions/${id}`, `/v1/live/sessions/${id}/replay`);
  c.header("etag", etagOf({ id, version }));
  return c.json(session, 200);
}

sessionRoutes.openapi(updateRoute, async (c) => {
  const { id } = c.req.valid("param");
  const host = requireHost(c);
  const db = database(c.env);
  await updateSession({
    db,
    host,
    id,
    ifMatch: c.req.header("if-match"),
    patch: await withMediaOf(db, c.env.MEDIA_URL, mediaOwnerOf(host), c.req.valid("json")),
  });
  // The room reloads its shelf (loading the metadata also shows this isolate's token path the new version).
  await configureRoom(c.env, id);
  return changed(c, id);
});

const transitions = { start: startSession, end: endSession, cancel: cancelSession };

for (const verb of ["start", "end", "cancel"] as const) {
  sessionRoutes.openapi(transitionRoute(verb), async (c) => {
    const { id } = c.req.valid("param");
    await hostedSession(c, id);
    await transitions[verb](c.env, id);
    return changed(c, id);
  });
}

sessionRoutes.openapi(reminder.put, async (c) => {
  await setReminder(c.env, c.req.valid("param").id, personId(requirePerson(c)));
  return c.body(null, 204);
});

sessionRoutes.openapi(reminder.delete, async (c) => {
  await cancelReminder(c.env, c.req.valid("param").id, personId(requirePerson(c)));
  return c.body(null, 204);
});

sessionRoutes.openapi(tokenRoute, async (c) => {
  const { id } = c.req.valid("param");
  const config = liveKitConfig(c.env);
  const { actor } = principalOf(c);
  const meta = await sessionMeta(c.env, id);
  const input = c.req.header("content-length") === "0" || !c.req.header("content-type") ? {} : c.req.valid("json");
  const token = await issueStreamToken({ env: c.env, config, meta, actor, input, requestUrl: c.req.url });
  if (token.role === "viewer") recordStreamView(c.env, c.executionCtx, id, token.identity);
  c.header("cache-control", "no-store");
  return c.json(token, 200);
});

sessionRoutes.openapi(roomRoute, async (c) => {
  const { token, lastSeq } = c.req.valid("query");
  return openRoom(c.env, { sessionId: c.req.valid("param").id, token, lastSeq, requestId: c.get("requestId") });
});

sessionRoutes.openapi(replayRoute, async (c) => {
  const replay = await getReplay(database(c.env), c.req.valid("param").id);
  c.header("cache-control", "public, max-age=60");
  return c.json(replay, 200);
});

/** A session's cover is its host's upload: a creator's own, or the merchant's. */
function mediaOwnerOf(host: SessionHost): MediaOwner {
  return host.type === "creator" ? { type: "creator", id: host.creatorId } : { type: "merchant", id: host.merchantId };
}
