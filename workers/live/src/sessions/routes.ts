// Live sessions: public reads (the feed's list, live first; one session with its shelf and viewer count), the host's
// schedule, start and end, and a person's reminder.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { etagOf } from "#shared/etag.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { idParam, jsonContent, problemResponses, retrieveRoute } from "#shared/openapi.ts";
import { pageQuery } from "#shared/pagination.ts";
import { personId, requirePerson } from "#shared/principal.ts";
import { liveSessionProducts, liveSessionReminders, liveSessions } from "#shared/schema.ts";
import { assertHosts, requireHost } from "../host.ts";
import { listSessions } from "../list-sessions.ts";
import { scheduleSession } from "../schedule-session.ts";
import {
  type LiveSession,
  LiveSessionCreateSchema,
  LiveSessionSchema,
  LiveSessionUpdateSchema,
  toLiveSession,
} from "../session.ts";
import { cancelSession, endSession, roomSetup, startSession } from "../session-lifecycle.ts";
import { loadSessionMeta, refuseOver, type SessionMeta, sessionMeta } from "../session-meta.ts";
import { updateSession } from "../update-session.ts";

const statusList = z
  .string()
  .regex(
    /^(scheduled|live|ended|cancelled)(,(scheduled|live|ended|cancelled))*$/,
    "a comma-separated list of scheduled, live, ended, cancelled",
  )
  .default("live,scheduled");

const listRoute = createRoute({
  method: "get",
  path: "/",
  summary: "List live sessions: live first, then scheduled by start time",
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
  responses: {
    200: jsonContent(
      z.object({ data: z.array(LiveSessionSchema), nextCursor: z.string().nullable() }),
      "A page of sessions",
    ),
    ...problemResponses(400),
  },
});

const getRoute = retrieveRoute({
  prefix: "live",
  schema: LiveSessionSchema,
  summary: "Retrieve a live session with its product shelf and viewer count",
  name: "live session",
});

const createSessionRoute = createRoute({
  method: "post",
  path: "/",
  summary: "Schedule a live session with its product shelf",
  description:
    "A creator (access token) or a merchant's store (secret key with `catalog:write`). A creator may shelve only products whose product and merchant allow promotion; the commission rate is fixed on the shelf. Takes an optional Idempotency-Key.",
  request: { body: { required: true, content: { "application/json": { schema: LiveSessionCreateSchema } } } },
  responses: {
    201: jsonContent(LiveSessionSchema, "The session (Location, ETag)"),
    ...problemResponses(400, 401, 403, 409, 422),
  },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "Edit a scheduled session: title, cover, start time, shelf (the host)",
  description:
    "Send If-Match with the ETag you read: a stale one gets 412. Once live, ended or cancelled: 409. A new shelf follows the same rules as at scheduling.",
  request: {
    params: idParam("live"),
    body: { required: true, content: { "application/json": { schema: LiveSessionUpdateSchema } } },
  },
  responses: {
    200: jsonContent(LiveSessionSchema, "The session (ETag)"),
    ...problemResponses(400, 401, 403, 404, 409, 412),
  },
});

const transitionSummaries = {
  start: "Go live (the host); reminder holders are notified",
  end: "End the session (the host); its replay follows",
  cancel: "Cancel a scheduled session (the host); reminder holders are notified",
};

const transitionRoute = (verb: "start" | "end" | "cancel") =>
  createRoute({
    method: "post",
    path: `/{id}/${verb}`,
    summary: transitionSummaries[verb],
    description:
      verb === "cancel"
        ? "Idempotent. Only a scheduled session: live or ended is 409. Tokens and the room then answer `session_cancelled`."
        : "Idempotent. The video server's room_started and room_finished webhooks do the same. A cancelled session answers `session_cancelled`.",
    request: { params: idParam("live") },
    responses: { 200: jsonContent(LiveSessionSchema, "The session"), ...problemResponses(400, 401, 403, 404, 409) },
  });

const reminderRoute = (method: "put" | "delete") =>
  createRoute({
    method,
    path: "/{id}/reminder",
    summary: method === "put" ? "Remind me when this session goes live" : "Cancel my reminder",
    description:
      method === "put"
        ? "A signed-in shopper or creator, while the session is scheduled (409 once it is live or over). Idempotent."
        : "A signed-in shopper or creator. Idempotent.",
    request: { params: idParam("live") },
    responses: { 204: { description: "Done" }, ...problemResponses(400, 401, 404, 409) },
  });

export const sessionRoutes = createRouter<{ Bindings: Env }>();

async function viewerCount(env: Env, meta: { id: string; status: string }): Promise<number> {
  // Only a live session's room is asked; scheduled and ended rooms are not woken (nor created) for a count.
  if (meta.status !== "live") return 0;
  return (await env.LIVE_ROOM.getByName(meta.id).snapshot()).viewerCount;
}

async function sessionView(env: Env, id: string): Promise<{ session: LiveSession; version: number }> {
  const db = database(env);
  const [rows, shelf] = await db.batch([
    db.select().from(liveSessions).where(eq(liveSessions.id, id)),
    db
      .select({ productId: liveSessionProducts.productId })
      .from(liveSessionProducts)
      .where(eq(liveSessionProducts.sessionId, id))
      .orderBy(asc(liveSessionProducts.position)),
  ]);
  const row = rows[0];
  if (!row) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  const count = await viewerCount(env, row);
  return {
    session: toLiveSession(
      row,
      shelf.map((s) => s.productId),
      count,
    ),
    version: row.version,
  };
}

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
  const { session, version } = await sessionView(c.env, c.req.valid("param").id);
  c.header("etag", etagOf({ id: session.id, version }));
  return c.json(session, 200);
});

sessionRoutes.post("/", idempotency({ required: false }));
sessionRoutes.openapi(createSessionRoute, async (c) => {
  const host = requireHost(c);
  const input = c.req.valid("json");
  const row = await scheduleSession({ db: database(c.env), host, input });
  // The room is made (and given its shelf and keyword filter) now, so the first viewer finds it ready.
  const meta = await loadSessionMeta(c.env, row.id);
  if (meta) {
    await c.env.LIVE_ROOM.getByName(row.id).configure({ ...roomSetup(meta), keywords: input.keywordFilter });
  }
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
  const { session, version } = await sessionView(c.env, id);
  purge(c, `/v1/live/sessions/${id}`, `/v1/live/sessions/${id}/replay`);
  c.header("etag", etagOf({ id, version }));
  return c.json(session, 200);
}

sessionRoutes.openapi(updateRoute, async (c) => {
  const { id } = c.req.valid("param");
  await updateSession({
    db: database(c.env),
    host: requireHost(c),
    id,
    ifMatch: c.req.header("if-match"),
    patch: c.req.valid("json"),
  });
  // This isolate's token path sees the new version at once; the room reloads its shelf.
  const meta = await loadSessionMeta(c.env, id);
  if (meta) await c.env.LIVE_ROOM.getByName(id).configure(roomSetup(meta));
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

sessionRoutes.openapi(reminderRoute("put"), async (c) => {
  const { id } = c.req.valid("param");
  const person = personId(requirePerson(c));
  const meta = await sessionMeta(c.env, id);
  refuseOver(meta);
  // A reminder is for the start; once on air there is nothing left to remind of.
  if (meta.status === "live") throw new ProblemError("conflict", `Live session ${id} is already live: join it.`);
  await database(c.env).insert(liveSessionReminders).values({ sessionId: id, personId: person }).onConflictDoNothing();
  return c.body(null, 204);
});

sessionRoutes.openapi(reminderRoute("delete"), async (c) => {
  const { id } = c.req.valid("param");
  const person = personId(requirePerson(c));
  await sessionMeta(c.env, id);
  await database(c.env)
    .delete(liveSessionReminders)
    .where(and(eq(liveSessionReminders.sessionId, id), eq(liveSessionReminders.personId, person)));
  return c.body(null, 204);
});
