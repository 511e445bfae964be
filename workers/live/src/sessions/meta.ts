// What the hot paths (stream tokens, the room socket) need to know about a session, cached per isolate so a warm
// token costs no database round trip. Writes in this isolate replace the entry at once (by version); other isolates
// see a change within `freshForMs`. An ended or cancelled session never changes again, so it stays until evicted.
// The room (LiveRoom) is told of every state change directly, so it never admits anyone to an ended session.
import { eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { creators, liveSessionModerators, liveSessions, merchants } from "#shared/schema.ts";

export interface SessionMeta {
  id: string;
  version: number;
  status: "scheduled" | "live" | "ended" | "cancelled";
  title: string;
  hostType: "creator" | "merchant";
  /** `cre_…` or `mer_…`: the host's identity in the room and on the video server. */
  hostId: string;
  hostName: string;
  moderatorIds: string[];
  startedAt: string | null;
  endedAt: string | null;
}

const freshForMs = 10_000;
const maxEntries = 10_000;

interface Entry {
  meta: SessionMeta;
  loadedAt: number;
}

const cache = new Map<string, Entry>();

/** Keeps a session's metadata (after a write here, or a load); an older version never replaces a newer one. */
export function rememberSession(meta: SessionMeta, now = Date.now()): void {
  const existing = cache.get(meta.id);
  if (existing && existing.meta.version > meta.version) return;
  cache.delete(meta.id);
  cache.set(meta.id, { meta, loadedAt: now });
  if (cache.size > maxEntries) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

export function forgetSession(id: string): void {
  cache.delete(id);
}

/** Ended or cancelled: final, no one is admitted and no token issued. */
function isOver(meta: { status: SessionMeta["status"] }): boolean {
  return meta.status === "ended" || meta.status === "cancelled";
}

/** 409 for a session that is over: `session_cancelled` when its host cancelled it, `conflict` when it has ended. */
export function refuseOver(meta: SessionMeta): void {
  if (meta.status === "cancelled")
    throw new ProblemError("session_cancelled", `Live session ${meta.id} was cancelled by its host.`);
  if (meta.status === "ended")
    throw new ProblemError("conflict", `Live session ${meta.id} has ended; watch its replay.`);
}

/** One round trip: the session, its host's name, and its moderators. */
export async function loadSessionMeta(env: Env, id: string): Promise<SessionMeta | null> {
  const db = database(env);
  const [rows, mods] = await db.batch([
    db
      .select({ session: liveSessions, creatorName: creators.name, merchantName: merchants.name })
      .from(liveSessions)
      .leftJoin(creators, eq(creators.id, liveSessions.creatorId))
      .leftJoin(merchants, eq(merchants.id, liveSessions.merchantId))
      .where(eq(liveSessions.id, id)),
    db
      .select({ personId: liveSessionModerators.personId })
      .from(liveSessionModerators)
      .where(eq(liveSessionModerators.sessionId, id)),
  ]);
  const row = rows[0];
  if (!row) return null;
  const s = row.session;
  const meta: SessionMeta = {
    id: s.id,
    version: s.version,
    status: s.status,
    title: s.title,
    hostType: s.hostType,
    hostId: (s.hostType === "creator" ? s.creatorId : s.merchantId) ?? "",
    hostName: (s.hostType === "creator" ? row.creatorName : row.merchantName) ?? "",
    moderatorIds: mods.map((m) => m.personId),
    startedAt: s.startedAt,
    endedAt: s.endedAt,
  };
  rememberSession(meta);
  return meta;
}

/** The session's metadata from the isolate's cache when fresh, else from the database; 404 when unknown. */
export async function sessionMeta(env: Env, id: string, now = Date.now()): Promise<SessionMeta> {
  const hit = cache.get(id);
  if (hit && (isOver(hit.meta) || now - hit.loadedAt < freshForMs)) return hit.meta;
  const meta = await loadSessionMeta(env, id);
  if (!meta) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  return meta;
}
