// startSession and endSession: the host's start and end, and the video server's room_started and room_finished
// webhooks, move a session scheduled → live → ended. Both are idempotent. The room is told first, so no one is
// admitted to an ended session; at the end its totals and replay timeline are written to libSQL in one batch.
import { and, eq, ne, sql } from "drizzle-orm";
import { database } from "../../../shared/db.ts";
import { ProblemError } from "../../../shared/errors.ts";
import { liveSessionEvents, liveSessionSummaries, liveSessions } from "../../../shared/schema.ts";
import type { RoomSetup } from "./live-room.ts";
import { loadSessionMeta, type SessionMeta } from "./session-meta.ts";

export function roomSetup(meta: SessionMeta): RoomSetup {
  return { sessionId: meta.id, status: meta.status, startedAt: meta.startedAt, hostIdentity: meta.hostId };
}

async function requireMeta(env: Env, id: string): Promise<SessionMeta> {
  const meta = await loadSessionMeta(env, id);
  if (!meta) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  return meta;
}

export async function startSession(env: Env, id: string, at = new Date()): Promise<SessionMeta> {
  await database(env)
    .update(liveSessions)
    .set({ status: "live", startedAt: at.toISOString(), version: sql`${liveSessions.version} + 1` })
    .where(and(eq(liveSessions.id, id), eq(liveSessions.status, "scheduled")));
  const meta = await requireMeta(env, id);
  if (meta.status === "ended") throw new ProblemError("conflict", `Live session ${id} has ended.`);
  const room = env.LIVE_ROOM.getByName(id);
  await room.ensureConfigured(roomSetup(meta));
  await room.start(meta.startedAt ?? at.toISOString());
  return meta;
}

const eventChunk = 100;

export async function endSession(env: Env, id: string, at = new Date()): Promise<SessionMeta> {
  const before = await requireMeta(env, id);
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
  await db.batch([
    db
      .update(liveSessions)
      .set({ status: "ended", endedAt, version: sql`${liveSessions.version} + 1` })
      .where(and(eq(liveSessions.id, id), ne(liveSessions.status, "ended"))),
    db
      .insert(liveSessionSummaries)
      .values({ sessionId: id, ...summary })
      .onConflictDoUpdate({ target: liveSessionSummaries.sessionId, set: summary }),
    ...inserts,
  ]);
  return requireMeta(env, id);
}
