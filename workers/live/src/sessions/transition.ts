// startSession, cancelSession and endSession (the host's calls, and the video server's room_started and room_finished
// webhooks) move a session scheduled → live → ended, or scheduled → cancelled, idempotently. Going live and cancelling
// notify reminder holders in the change's transaction (followers see it in their feed). The room is told of an end
// first, so no one is admitted after; then its totals, GMV and replay timeline are written in one batch.
import { waitUntil } from "cloudflare:workers";
import { and, eq, exists, inArray, sql } from "drizzle-orm";
import { type Database, database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { type Notice, notify } from "#shared/notifications.ts";
import { liveSessionEvents, liveSessionReminders, liveSessionSummaries, liveSessions } from "#shared/schema.ts";
import { liveSessionEvent } from "#shared/webhook-events.ts";
import { kickFannedOut } from "#shared/webhook-kick.ts";
import type { RoomSetup } from "../room/live-room.ts";
import { gmvQuery, toGmv } from "./gmv.ts";
import { loadSessionMeta, refuseOver, type SessionMeta } from "./meta.ts";

export function roomSetup(meta: SessionMeta): RoomSetup {
  return { sessionId: meta.id, status: meta.status, startedAt: meta.startedAt, hostIdentity: meta.hostId };
}

/** Hands the session's room its state and its shelf as they are now (the room reads the shelf from the database). */
export async function configureRoom(env: Env, id: string, keywords?: string[]): Promise<void> {
  const meta = await loadSessionMeta(env, id);
  if (meta) await env.LIVE_ROOM.getByName(id).configure({ ...roomSetup(meta), keywords });
}

async function requireMeta(env: Env, id: string): Promise<SessionMeta> {
  const meta = await loadSessionMeta(env, id);
  if (!meta) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  return meta;
}

/** The session's reminder holders, once the batch has moved it to `status` (else no one). */
function remindersIfNow(db: Database, id: string, status: "live" | "cancelled") {
  const moved = db
    .select({ id: liveSessions.id })
    .from(liveSessions)
    .where(and(eq(liveSessions.id, id), eq(liveSessions.status, status)));
  return db
    .select({ personId: liveSessionReminders.personId })
    .from(liveSessionReminders)
    .where(and(eq(liveSessionReminders.sessionId, id), exists(moved)));
}

function notice(meta: SessionMeta, kind: Notice["kind"], title: string): Notice {
  return { kind, subjectId: meta.id, title, body: meta.title, link: `/v1/live/sessions/${meta.id}` };
}

export async function startSession(env: Env, id: string, at = new Date()): Promise<SessionMeta> {
  const before = await requireMeta(env, id);
  refuseOver(before);
  const db = database(env);
  const started = await db.batch([
    db
      .update(liveSessions)
      .set({ status: "live", startedAt: at.toISOString(), version: sql`${liveSessions.version} + 1` })
      .where(and(eq(liveSessions.id, id), eq(liveSessions.status, "scheduled"))),
    notify(db, notice(before, "live_session_started", `${before.hostName} 开播了`), remindersIfNow(db, id, "live"), at),
    // Merchant webhooks: the checkout Worker's dispatchers, kicked once it has committed, deliver them.
    ...liveSessionEvent("live_session.started", id).map((statement) => db.run(statement)),
  ]);
  waitUntil(kickFannedOut(env.WEBHOOK_DISPATCHER, started));
  const meta = await requireMeta(env, id);
  refuseOver(meta);
  const room = env.LIVE_ROOM.getByName(id);
  await room.ensureConfigured(roomSetup(meta));
  await room.start(meta.startedAt ?? at.toISOString());
  return meta;
}

/** scheduled → cancelled by the host; the room closes its sockets and admits no one. Live or ended: 409. */
export async function cancelSession(env: Env, id: string, at = new Date()): Promise<SessionMeta> {
  const before = await requireMeta(env, id);
  if (before.status === "cancelled") return before;
  if (before.status !== "scheduled") {
    throw new ProblemError(
      "conflict",
      `Live session ${id} is ${before.status}; only a scheduled one can be cancelled.`,
    );
  }
  const db = database(env);
  await db.batch([
    db
      .update(liveSessions)
      .set({ status: "cancelled", version: sql`${liveSessions.version} + 1` })
      .where(and(eq(liveSessions.id, id), eq(liveSessions.status, "scheduled"))),
    notify(
      db,
      notice(before, "live_session_cancelled", `${before.hostName} 取消了直播`),
      remindersIfNow(db, id, "cancelled"),
      at,
    ),
  ]);
  const meta = await requireMeta(env, id);
  // It went live meanwhile.
  if (meta.status !== "cancelled") throw new ProblemError("conflict", `Live session ${id} is ${meta.status}.`);
  const room = env.LIVE_ROOM.getByName(id);
  await room.ensureConfigured(roomSetup(meta));
  await room.cancel(at.toISOString());
  return meta;
}

const eventChunk = 100;

export async function endSession(env: Env, id: string, at = new Date()): Promise<SessionMeta> {
  const before = await requireMeta(env, id);
  if (before.status === "cancelled") refuseOver(before);
  const endedAt = before.endedAt ?? at.toISOString();
  const room = env.LIVE_ROOM.getByName(id);
  await room.ensureConfigured(roomSetup(before));
  const { totals, events } = await room.end(endedAt);
  const db = database(env);
  const summary = {
    peakViewers: totals.peakViewers,
    uniqueViewers: totals.uniqueViewers,
    likes: totals.likes,
    comments: totals.comments,
    questions: totals.questions,
    durationMs: totals.durationMs,
    gmv: toGmv(await gmvQuery(db, id)),
    updatedAt: new Date().toISOString(),
  };
  const rows = events.map((e, i) => ({ sessionId: id, seq: i + 1, ...e }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += eventChunk) {
    inserts.push(
      db
        .insert(liveSessionEvents)
        .values(rows.slice(i, i + eventChunk))
        .onConflictDoNothing(),
    );
  }
  const ended = await db.batch([
    db
      .update(liveSessions)
      .set({ status: "ended", endedAt, version: sql`${liveSessions.version} + 1` })
      .where(and(eq(liveSessions.id, id), inArray(liveSessions.status, ["scheduled", "live"]))),
    db
      .insert(liveSessionSummaries)
      .values({ sessionId: id, ...summary })
      .onConflictDoUpdate({ target: liveSessionSummaries.sessionId, set: summary }),
    ...inserts,
    ...liveSessionEvent("live_session.ended", id).map((statement) => db.run(statement)),
  ]);
  waitUntil(kickFannedOut(env.WEBHOOK_DISPATCHER, ended));
  return requireMeta(env, id);
}
