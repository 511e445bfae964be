// One LiveRoom per live session, reached by the session id (getByName). Its viewers are hibernating WebSockets
// (ctx.acceptWebSocket; who each one is rides in its attachment), and everything that must outlive an eviction is in
// the object's SQLite storage: counters, the broadcast buffer for resuming, comments, questions, people (muted,
// banned, unique viewers), the shelf and pinned product, and the replay timeline. One alarm serves two schedules:
// the like and viewer totals (at most one broadcast per 250 ms) and the pinned product's price and stock refresh.
// The Worker authenticates the room token before the upgrade and passes the verified claims in a header.
import { DurableObject } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import { encodeAttribution } from "#shared/attribution.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { unitPriceSql } from "#shared/pricing.ts";
import { flashSales, flashSaleTallies, liveSessionProducts, products, skus } from "#shared/schema.ts";
import { migrateStorage } from "#shared/storage.ts";
import type { StreamRole } from "./livekit.ts";
import {
  type Broadcast,
  ClientMessage,
  type CommentView,
  type ErrorCode,
  hostOnly,
  MAX_FRAME_LENGTH,
  moderatorOnly,
  type PinnedProduct,
  type QuestionView,
  type ShelfItem,
  type ViewerFigures,
} from "./room/protocol.ts";
import type { RoomClaims } from "./room-token.ts";

export const CLAIMS_HEADER = "x-live-room-claims";
export const SETUP_HEADER = "x-live-room-setup";

/** How often totals may be broadcast, and how often the pinned product's price and stock are read again. */
export const FLUSH_INTERVAL_MS = 250;
export const REFRESH_INTERVAL_MS = 5_000;
/** Broadcasts kept for clients that reconnect with their last `seq`. */
export const BUFFER_SIZE = 1_000;
/**
 * The like messages a second the room asks its whole audience for. Every client sends its taps as one
 * `like {count}` message per `likeIntervalMs` (in `welcome` and `viewers`): the flush interval in a small room, longer
 * as the audience grows, so a storm costs the room a bounded number of messages whatever the viewer count. Each
 * message is a whole event for the object; under wrangler dev on two shared cores a room handled ~700–1,400 a second.
 */
export const LIKE_MESSAGES_PER_SECOND = 400;

export function likeIntervalMs(viewers: number): number {
  return Math.max(FLUSH_INTERVAL_MS, Math.ceil((viewers * 1000) / LIKE_MESSAGES_PER_SECOND / 50) * 50);
}

/** Comments and questions a person may send per window (the host and moderators are not limited). */
export const RATE_LIMIT = { count: 5, windowMs: 10_000 };

export interface RoomSetup {
  sessionId: string;
  status: "scheduled" | "live" | "ended" | "cancelled";
  startedAt: string | null;
  hostIdentity: string;
  keywords?: string[];
}

export interface RoomSnapshot {
  viewerCount: number;
  status: string | null;
  likes: number;
  peakViewers: number;
}

export interface RoomTotals {
  peakViewers: number;
  uniqueViewers: number;
  likes: number;
  comments: number;
  questions: number;
  durationMs: number | null;
}

export type EventData = Record<string, string | number | boolean | null>;

export interface TimelineEvent {
  offsetMs: number;
  type: string;
  productId: string | null;
  data: EventData;
}

export interface RoomEnd {
  totals: RoomTotals;
  events: TimelineEvent[];
}

interface Attachment {
  identity: string;
  name: string;
  role: StreamRole;
}

const migrations = [
  "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "CREATE TABLE broadcasts (seq INTEGER PRIMARY KEY, frame TEXT NOT NULL)",
  `CREATE TABLE people (identity TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, first_seen INTEGER NOT NULL,
     muted_until INTEGER NOT NULL DEFAULT 0, banned INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE comments (id TEXT PRIMARY KEY, identity TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
     body TEXT NOT NULL, at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE questions (id TEXT PRIMARY KEY, identity TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
     at INTEGER NOT NULL, upvotes INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0)`,
  "CREATE TABLE question_votes (question_id TEXT NOT NULL, identity TEXT NOT NULL, PRIMARY KEY (question_id, identity))",
  `CREATE TABLE shelf (product_id TEXT PRIMARY KEY, position INTEGER NOT NULL, title TEXT NOT NULL, image_url TEXT,
     price_amount INTEGER, currency TEXT, stock_left INTEGER NOT NULL)`,
  `CREATE TABLE timeline (seq INTEGER PRIMARY KEY AUTOINCREMENT, offset_ms INTEGER NOT NULL, type TEXT NOT NULL,
     product_id TEXT, data TEXT NOT NULL)`,
  "CREATE TABLE minutes (minute INTEGER PRIMARY KEY, comments INTEGER NOT NULL DEFAULT 0, likes INTEGER NOT NULL DEFAULT 0)",
];

const iso = (ms: number) => new Date(ms).toISOString();

function problem(status: number, code: string, detail: string): Response {
  return new Response(
    JSON.stringify({ type: `/docs/problems/${code}`, title: code, status, code, detail, requestId: "" }),
    { status, headers: { "content-type": "application/problem+json; charset=utf-8" } },
  );
}

export class LiveRoom extends DurableObject<Env> {
  // Per-person comment times for the rate limit. In memory on purpose: losing it on eviction only forgives.
  private recent = new Map<string, number[]>();
  // Likes since the last flush, in memory: a like storm costs no storage write per message. At most one flush
  // interval of likes (250 ms) is lost if the object is evicted with likes pending.
  private pendingLikes = 0;
  private flushScheduled = false;
  private flushDueAt: number | null = null;
  // The status is read on every message; the object is its only writer, so memory mirrors storage.
  private statusCache: RoomSetup["status"] | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrateStorage(ctx.storage.sql, migrations);
    });
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  private get<T>(key: string, fallback: T): T {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  private set(key: string, value: unknown): void {
    this.sql.exec(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  private add(key: string, delta: number): number {
    const row = this.sql
      .exec<{ value: string }>(
        `INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?
         RETURNING value`,
        key,
        String(delta),
        delta,
      )
      .one();
    return Number(row.value);
  }

  private status(): RoomSetup["status"] | null {
    if (this.statusCache === undefined) this.statusCache = this.get<RoomSetup["status"] | null>("status", null);
    return this.statusCache;
  }

  /** Ended or cancelled: the room admits no one and takes no messages. */
  private over(): boolean {
    const status = this.status();
    return status === "ended" || status === "cancelled";
  }

  private setStatus(status: RoomSetup["status"]): void {
    this.set("status", status);
    this.statusCache = status;
  }

  // ---- RPC from the live Worker ----

  /** Records the session (idempotent; never moves an ended room back) and loads its shelf from the database. */
  async configure(setup: RoomSetup): Promise<void> {
    const shelf = await this.loadShelf(setup.sessionId);
    this.set("session_id", setup.sessionId);
    this.set("host_identity", setup.hostIdentity);
    if (!this.over()) {
      this.setStatus(setup.status);
      if (setup.startedAt) this.set("started_at", Date.parse(setup.startedAt));
    }
    if (setup.keywords)
      this.set(
        "keywords",
        setup.keywords.map((k) => k.toLowerCase()),
      );
    this.sql.exec("DELETE FROM shelf");
    for (const item of shelf) {
      this.sql.exec(
        "INSERT INTO shelf (product_id, position, title, image_url, price_amount, currency, stock_left) VALUES (?, ?, ?, ?, ?, ?, ?)",
        item.productId,
        item.position,
        item.title,
        item.imageUrl,
        item.price?.amount ?? null,
        item.price?.currency ?? null,
        item.stockLeft,
      );
    }
    this.set("configured", true);
  }

  /** configure() once: for rooms of sessions scheduled before rooms were configured at creation (the demo's). */
  async ensureConfigured(setup: RoomSetup): Promise<void> {
    if (!this.get("configured", false)) await this.configure(setup);
  }

  snapshot(): RoomSnapshot {
    return {
      viewerCount: this.openSockets().length,
      status: this.status(),
      likes: this.get("likes_total", 0) + this.get("likes_pending", 0) + this.pendingLikes,
      peakViewers: this.get("peak", 0),
    };
  }

  /** scheduled → live. Idempotent; an ended or cancelled room stays so. */
  start(at: string): { ok: true } | { ok: false; reason: "ended" } {
    if (this.over()) return { ok: false, reason: "ended" };
    if (this.status() === "live") return { ok: true };
    const startedAt = Date.parse(at);
    this.setStatus("live");
    this.set("started_at", startedAt);
    this.record("stream_started", null, {}, startedAt);
    // What was pinned before going live is shown from the first second.
    const pinned = this.get<PinnedProduct | null>("pinned", null);
    if (pinned) this.recordPin(pinned, startedAt);
    this.broadcast({ type: "status", status: "live", at });
    return { ok: true };
  }

  /** scheduled → cancelled: whoever waits in the room is told and let go. Idempotent; a started room refuses. */
  cancel(at: string): { ok: true } | { ok: false; reason: "started" } {
    const status = this.status();
    if (status === "cancelled") return { ok: true };
    if (status === "live" || status === "ended") return { ok: false, reason: "started" };
    this.setStatus("cancelled");
    this.set("flush_at", null);
    this.set("refresh_at", null);
    this.broadcast({ type: "status", status: "cancelled", at });
    for (const ws of this.openSockets()) ws.close(1000, "The live session was cancelled.");
    this.ctx.storage.deleteAlarm();
    return { ok: true };
  }

  /** → ended: final totals and the replay timeline. Idempotent: a second call returns the same. */
  end(at: string): RoomEnd {
    const done = this.get<RoomEnd | null>("ended_result", null);
    if (done) return done;
    const endedAt = Date.parse(at);
    this.flush(endedAt);
    const pinned = this.get<PinnedProduct | null>("pinned", null);
    if (pinned) this.recordUnpin(pinned, endedAt);
    this.record("stream_ended", null, {}, endedAt);
    const startedAt = this.get<number | null>("started_at", null);
    const totals: RoomTotals = {
      peakViewers: this.get("peak", 0),
      uniqueViewers: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM people").one().n,
      likes: this.get("likes_total", 0),
      comments: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM comments").one().n,
      questions: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM questions").one().n,
      durationMs: startedAt === null ? null : Math.max(0, endedAt - startedAt),
    };
    const events: TimelineEvent[] = [
      ...this.sql
        .exec<{ offset_ms: number; type: string; product_id: string | null; data: string }>(
          "SELECT offset_ms, type, product_id, data FROM timeline ORDER BY seq",
        )
        .toArray()
        .map((r) => ({
          offsetMs: r.offset_ms,
          type: r.type,
          productId: r.product_id,
          data: JSON.parse(r.data) as EventData,
        })),
      ...this.sql
        .exec<{ minute: number; comments: number; likes: number }>("SELECT * FROM minutes ORDER BY minute")
        .toArray()
        .map((r) => ({
          offsetMs: r.minute * 60_000,
          type: "activity",
          productId: null,
          data: { minute: r.minute, comments: r.comments, likes: r.likes },
        })),
    ].sort((a, b) => a.offsetMs - b.offsetMs);
    const result: RoomEnd = { totals, events };
    this.setStatus("ended");
    this.set("ended_result", result);
    this.set("pinned", null);
    this.set("flush_at", null);
    this.set("refresh_at", null);
    this.broadcast({ type: "status", status: "ended", at });
    for (const ws of this.openSockets()) ws.close(1000, "The live session has ended.");
    this.ctx.storage.deleteAlarm();
    return result;
  }

  // ---- The socket ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return problem(400, "validation_failed", "Expected a WebSocket upgrade.");
    }
    const header = (name: string) => JSON.parse(decodeURIComponent(request.headers.get(name) ?? "null"));
    const claims = header(CLAIMS_HEADER) as RoomClaims | null;
    const setup = header(SETUP_HEADER) as RoomSetup | null;
    if (!claims || !setup) return problem(401, "unauthorized", "The room needs verified claims.");
    await this.ensureConfigured(setup);
    if (this.status() === "cancelled") return problem(409, "session_cancelled", "The live session was cancelled.");
    if (this.over()) return problem(409, "conflict", "The live session has ended.");
    const person = this.sql
      .exec<{ banned: number }>("SELECT banned FROM people WHERE identity = ?", claims.identity)
      .toArray()[0];
    if (person?.banned) return problem(403, "forbidden", "You were removed from this live session.");

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [claims.identity]);
    const attachment: Attachment = { identity: claims.identity, name: claims.name, role: claims.role };
    server.serializeAttachment(attachment);
    const now = Date.now();
    this.sql.exec(
      `INSERT INTO people (identity, name, role, first_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET name = excluded.name, role = excluded.role`,
      claims.identity,
      claims.name,
      claims.role,
      now,
    );
    const current = this.openSockets().length;
    if (current > this.get("peak", 0)) this.set("peak", current);

    server.send(JSON.stringify(this.welcome(attachment)));
    const lastSeq = new URL(request.url).searchParams.get("lastSeq");
    if (lastSeq !== null && /^\d{1,15}$/.test(lastSeq)) this.resume(server, Number(lastSeq));
    this.scheduleFlush(now);
    if (this.get("pinned", null) && this.get("refresh_at", null) === null) this.scheduleRefresh(now);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return this.error(ws, "invalid_message", "Send JSON text frames.");
    if (message.length > MAX_FRAME_LENGTH) {
      return this.error(ws, "invalid_message", `Frames are limited to ${MAX_FRAME_LENGTH} characters.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return this.error(ws, "invalid_message", "The frame is not JSON.");
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const ref =
        json && typeof json === "object" && "ref" in json && typeof json.ref === "string" ? json.ref : undefined;
      const errors = parsed.error.issues.map((i) => ({ path: `/${i.path.join("/")}`, message: i.message }));
      return this.error(ws, "invalid_message", "The message is unknown or has invalid fields.", ref, errors);
    }
    const msg = parsed.data;
    if (msg.type === "like") {
      // The hot message of a like storm: no attachment, no storage.
      if (this.over()) return this.error(ws, "session_ended", "The live session is over.", msg.ref);
      this.pendingLikes += msg.count;
      const now = Date.now();
      if (!this.flushScheduled) this.scheduleFlush(now);
      // Under a storm the alarm can queue behind the messages: flush here once it is due, so totals keep flowing.
      else if (this.flushDueAt !== null && now >= this.flushDueAt) this.flush(now);
      return;
    }
    const who = ws.deserializeAttachment() as Attachment;
    if (moderatorOnly.has(msg.type) && who.role === "viewer") {
      return this.error(ws, "forbidden", "Only the host and moderators may do that.", msg.ref);
    }
    if (hostOnly.has(msg.type) && who.role !== "host") {
      return this.error(ws, "forbidden", "Only the host may do that.", msg.ref);
    }
    if (this.over()) return this.error(ws, "session_ended", "The live session is over.", msg.ref);
    const now = Date.now();
    switch (msg.type) {
      case "ping":
        return this.send(ws, { type: "pong", seq: this.get("seq", 0), ref: msg.ref });
      case "resume":
        return this.resume(ws, msg.lastSeq);
      case "comment":
      case "ask":
        return this.post(ws, who, msg.type, msg.body, now, msg.ref);
      case "upvote":
        return this.upvote(ws, who, msg.questionId, msg.ref);
      case "delete_comment": {
        const deleted = this.sql.exec("UPDATE comments SET deleted = 1 WHERE id = ? AND deleted = 0", msg.commentId);
        if (deleted.rowsWritten === 0) return this.error(ws, "not_found", "No such comment.", msg.ref);
        this.broadcast({ type: "comment_deleted", commentId: msg.commentId });
        return;
      }
      case "mute":
      case "unmute":
      case "ban":
        return this.moderate(ws, msg.type, msg.identity, msg.type === "mute" ? msg.seconds : 0, now, msg.ref);
      case "answer": {
        const q = this.sql
          .exec<{ body: string }>("UPDATE questions SET answered = 1 WHERE id = ? RETURNING body", msg.questionId)
          .toArray()[0];
        if (!q) return this.error(ws, "not_found", "No such question.", msg.ref);
        this.record("question_answered", null, { questionId: msg.questionId, body: q.body });
        this.broadcast({ type: "question_updated", question: this.questionState(msg.questionId) });
        return;
      }
      case "announce":
        this.broadcast({ type: "announcement", body: msg.body, name: who.name, at: iso(now) });
        return;
      case "set_keywords":
        this.set(
          "keywords",
          msg.keywords.map((k) => k.toLowerCase()),
        );
        return this.send(ws, { type: "ack", for: msg.type, ref: msg.ref });
      case "pin":
        return this.pin(ws, msg.productId, msg.flashSaleId ?? null, msg.ref);
      case "unpin": {
        const pinned = this.get<PinnedProduct | null>("pinned", null);
        if (pinned) this.recordUnpin(pinned, now);
        this.set("pinned", null);
        this.set("refresh_at", null);
        this.broadcast({ type: "pinned", product: null });
        return;
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.scheduleFlush(Date.now());
  }

  override async webSocketError(): Promise<void> {
    this.scheduleFlush(Date.now());
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const flushAt = this.get<number | null>("flush_at", null);
    const refreshAt = this.get<number | null>("refresh_at", null);
    // Run early (a test's runDurableObjectAlarm, or clock skew): do what is pending rather than nothing.
    const early = (flushAt === null || flushAt > now) && (refreshAt === null || refreshAt > now);
    if (flushAt !== null && (flushAt <= now || early)) this.flush(now);
    if (refreshAt !== null && (refreshAt <= now || early)) await this.refreshPinned(now);
    await this.setNextAlarm();
  }

  // ---- Broadcasting, resuming, totals ----

  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private send(ws: WebSocket, frame: Record<string, unknown>): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // closing; its close handler updates the counts
    }
  }

  private error(
    ws: WebSocket,
    code: ErrorCode,
    message: string,
    ref?: string,
    errors?: { path: string; message: string }[],
  ): void {
    this.send(ws, { type: "error", code, message, ref, errors });
  }

  private broadcast(frame: Broadcast): number {
    const seq = this.add("seq", 1);
    const text = JSON.stringify({ seq, ...frame });
    this.sql.exec("INSERT INTO broadcasts (seq, frame) VALUES (?, ?)", seq, text);
    if (seq % 100 === 0) this.sql.exec("DELETE FROM broadcasts WHERE seq <= ?", seq - BUFFER_SIZE);
    for (const ws of this.openSockets()) {
      try {
        ws.send(text);
      } catch {
        // closing
      }
    }
    return seq;
  }

  /** Sends what a client missed after `lastSeq`, or tells it to resync from its welcome when the buffer lost some. */
  private resume(ws: WebSocket, lastSeq: number): void {
    const current = this.get("seq", 0);
    if (lastSeq >= current) return;
    const oldest = this.sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM broadcasts").one().seq;
    if (oldest === null || lastSeq + 1 < oldest) {
      this.send(ws, { type: "resync", seq: current, reason: "Too much was missed; start from the welcome state." });
      return;
    }
    for (const row of this.sql.exec<{ frame: string }>(
      "SELECT frame FROM broadcasts WHERE seq > ? ORDER BY seq",
      lastSeq,
    )) {
      ws.send(row.frame);
    }
  }

  private viewerFigures(): ViewerFigures {
    const current = this.openSockets().length;
    let peak = this.get("peak", 0);
    if (current > peak) {
      peak = current;
      this.set("peak", peak);
    }
    const unique = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM people").one().n;
    return { current, peak, unique, likeIntervalMs: likeIntervalMs(current) };
  }

  /** Likes and viewer counts, broadcast only when changed; the alarm calls this at most every 250 ms. */
  private flush(now: number): void {
    // `likes_pending` in storage is from rooms made before likes were kept in memory.
    const pending = this.get("likes_pending", 0) + this.pendingLikes;
    this.pendingLikes = 0;
    if (pending > 0) {
      this.set("likes_pending", 0);
      this.countMinute("likes", pending, now);
      this.broadcast({ type: "likes", total: this.add("likes_total", pending), at: iso(now) });
    }
    const viewers = this.viewerFigures();
    const sent = this.get<ViewerFigures | null>("viewers_sent", null);
    if (!sent || sent.current !== viewers.current || sent.peak !== viewers.peak || sent.unique !== viewers.unique) {
      this.set("viewers_sent", viewers);
      this.broadcast({ type: "viewers", ...viewers });
    }
    this.set("last_flush", now);
    this.set("flush_at", null);
    this.flushScheduled = false;
    this.flushDueAt = null;
  }

  private scheduleFlush(now: number): void {
    this.flushScheduled = true;
    const scheduled = this.get<number | null>("flush_at", null);
    if (scheduled !== null) {
      this.flushDueAt = scheduled;
      return;
    }
    this.flushDueAt = Math.max(now, this.get("last_flush", 0) + FLUSH_INTERVAL_MS);
    this.set("flush_at", this.flushDueAt);
    void this.setNextAlarm();
  }

  private scheduleRefresh(now: number): void {
    this.set("refresh_at", now + REFRESH_INTERVAL_MS);
    void this.setNextAlarm();
  }

  private async setNextAlarm(): Promise<void> {
    const due = [this.get<number | null>("flush_at", null), this.get<number | null>("refresh_at", null)].filter(
      (t): t is number => t !== null,
    );
    if (due.length === 0) return;
    await this.ctx.storage.setAlarm(Math.min(...due));
  }

  private countMinute(column: "comments" | "likes", n: number, now: number): void {
    const startedAt = this.get<number | null>("started_at", null);
    if (this.status() !== "live" || startedAt === null) return;
    const minute = Math.max(0, Math.floor((now - startedAt) / 60_000));
    this.sql.exec(
      `INSERT INTO minutes (minute, ${column}) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
      minute,
      n,
    );
  }

  /** A replay event at its offset from the stream's start; nothing is recorded before the stream starts. */
  private record(type: string, productId: string | null, data: EventData, now = Date.now()): void {
    const startedAt = this.get<number | null>("started_at", null);
    if (startedAt === null || this.status() === "scheduled") return;
    this.sql.exec(
      "INSERT INTO timeline (offset_ms, type, product_id, data) VALUES (?, ?, ?, ?)",
      Math.max(0, now - startedAt),
      type,
      productId,
      JSON.stringify(data),
    );
  }

  private recordPin(p: PinnedProduct, now = Date.now()): void {
    this.record("product_pinned", p.productId, {}, now);
    if (p.flashSale) this.record("flash_sale_opened", p.productId, { flashSaleId: p.flashSale.id }, now);
  }

  private recordUnpin(p: PinnedProduct, now: number): void {
    if (p.flashSale) this.record("flash_sale_closed", p.productId, { flashSaleId: p.flashSale.id }, now);
    this.record("product_unpinned", p.productId, {}, now);
  }

  // ---- What people do ----

  private welcome(who: Attachment): Record<string, unknown> {
    const startedAt = this.get<number | null>("started_at", null);
    const comments = this.sql
      .exec<{ id: string; identity: string; name: string; role: string; body: string; at: number }>(
        "SELECT id, identity, name, role, body, at FROM comments WHERE deleted = 0 ORDER BY at DESC, id DESC LIMIT 20",
      )
      .toArray()
      .reverse()
      .map((c): CommentView => ({ ...c, at: iso(c.at) }));
    const questions = this.sql
      .exec<{
        id: string;
        identity: string;
        name: string;
        body: string;
        upvotes: number;
        answered: number;
        at: number;
      }>("SELECT * FROM questions ORDER BY answered, upvotes DESC, at LIMIT 20")
      .toArray()
      .map((q): QuestionView => ({ ...q, answered: q.answered === 1, at: iso(q.at) }));
    return {
      type: "welcome",
      identity: who.identity,
      name: who.name,
      role: who.role,
      seq: this.get("seq", 0),
      state: {
        status: this.status(),
        startedAt: startedAt === null ? null : iso(startedAt),
        likes: this.get("likes_total", 0) + this.get("likes_pending", 0) + this.pendingLikes,
        viewers: this.viewerFigures(),
        shelf: this.shelf(),
        pinned: this.get<PinnedProduct | null>("pinned", null),
        comments,
        questions,
      },
    };
  }

  private shelf(): ShelfItem[] {
    return this.sql
      .exec<{
        product_id: string;
        position: number;
        title: string;
        image_url: string | null;
        price_amount: number | null;
        currency: string | null;
        stock_left: number;
      }>("SELECT * FROM shelf ORDER BY position")
      .toArray()
      .map((r) => ({
        productId: r.product_id,
        position: r.position,
        title: r.title,
        imageUrl: r.image_url,
        price: r.price_amount === null || r.currency === null ? null : { amount: r.price_amount, currency: r.currency },
        stockLeft: r.stock_left,
        attribution: this.attribution(r.product_id),
      }));
  }

  /** The reference a purchase from this room carries (shared/attribution.ts): the session, and its host if a creator. */
  private attribution(productId: string): string {
    const host = this.get<string>("host_identity", "");
    return encodeAttribution({
      noteId: null,
      liveSessionId: this.get<string>("session_id", ""),
      creatorId: host.startsWith("cre_") ? host : null,
      productId,
    });
  }

  private post(ws: WebSocket, who: Attachment, kind: "comment" | "ask", body: string, now: number, ref?: string) {
    const person = this.sql
      .exec<{ muted_until: number }>("SELECT muted_until FROM people WHERE identity = ?", who.identity)
      .toArray()[0];
    if (person && person.muted_until > now) {
      return this.error(ws, "muted", `You are muted until ${iso(person.muted_until)}.`, ref);
    }
    if (who.role === "viewer") {
      const times = (this.recent.get(who.identity) ?? []).filter((t) => now - t < RATE_LIMIT.windowMs);
      if (times.length >= RATE_LIMIT.count) {
        this.recent.set(who.identity, times);
        return this.error(ws, "rate_limited", "Too many messages; wait a few seconds.", ref);
      }
      times.push(now);
      this.recent.set(who.identity, times);
    }
    const lowered = body.toLowerCase();
    if (this.get<string[]>("keywords", []).some((k) => lowered.includes(k))) {
      return this.error(ws, "comment_filtered", "The message contains a word this room does not allow.", ref);
    }
    if (kind === "comment") {
      const comment: CommentView = {
        id: newId("cmt", now),
        identity: who.identity,
        name: who.name,
        role: who.role,
        body,
        at: iso(now),
      };
      this.sql.exec(
        "INSERT INTO comments (id, identity, name, role, body, at) VALUES (?, ?, ?, ?, ?, ?)",
        comment.id,
        who.identity,
        who.name,
        who.role,
        body,
        now,
      );
      this.countMinute("comments", 1, now);
      this.broadcast({ type: "comment", comment });
      return;
    }
    const question: QuestionView = {
      id: `qst_${newId("req", now).slice(4)}`,
      identity: who.identity,
      name: who.name,
      body,
      upvotes: 0,
      answered: false,
      at: iso(now),
    };
    this.sql.exec(
      "INSERT INTO questions (id, identity, name, body, at) VALUES (?, ?, ?, ?, ?)",
      question.id,
      who.identity,
      who.name,
      body,
      now,
    );
    this.broadcast({ type: "question", question });
  }

  private questionState(id: string): { id: string; upvotes: number; answered: boolean } {
    const q = this.sql
      .exec<{ upvotes: number; answered: number }>("SELECT upvotes, answered FROM questions WHERE id = ?", id)
      .one();
    return { id, upvotes: q.upvotes, answered: q.answered === 1 };
  }

  private upvote(ws: WebSocket, who: Attachment, questionId: string, ref?: string) {
    const exists = this.sql.exec("SELECT 1 FROM questions WHERE id = ?", questionId).toArray().length > 0;
    if (!exists) return this.error(ws, "not_found", "No such question.", ref);
    const vote = this.sql.exec(
      "INSERT INTO question_votes (question_id, identity) VALUES (?, ?) ON CONFLICT DO NOTHING",
      questionId,
      who.identity,
    );
    // A second upvote by the same person changes nothing.
    if (vote.rowsWritten === 0) return this.send(ws, { type: "ack", for: "upvote", ref });
    this.sql.exec("UPDATE questions SET upvotes = upvotes + 1 WHERE id = ?", questionId);
    this.broadcast({ type: "question_updated", question: this.questionState(questionId) });
  }

  private moderate(
    ws: WebSocket,
    action: "mute" | "unmute" | "ban",
    identity: string,
    seconds: number,
    now: number,
    ref?: string,
  ) {
    const target = this.sql.exec<{ role: string }>("SELECT role FROM people WHERE identity = ?", identity).toArray()[0];
    if (identity === this.get("host_identity", "") || (target && target.role !== "viewer")) {
      return this.error(ws, "forbidden", "The host and moderators cannot be muted or banned.", ref);
    }
    const mutedUntil = action === "mute" ? now + seconds * 1000 : 0;
    this.sql.exec(
      `INSERT INTO people (identity, name, role, first_seen, muted_until, banned) VALUES (?, ?, 'viewer', ?, ?, ?)
       ON CONFLICT (identity) DO UPDATE SET muted_until = excluded.muted_until, banned = MAX(banned, excluded.banned)`,
      identity,
      identity,
      now,
      mutedUntil,
      action === "ban" ? 1 : 0,
    );
    for (const socket of this.ctx.getWebSockets(identity)) {
      if (action === "ban") {
        this.send(socket, { type: "banned" });
        socket.close(4003, "Removed from the live session.");
      } else {
        this.send(socket, { type: "muted", until: mutedUntil === 0 ? null : iso(mutedUntil) });
      }
    }
    if (action === "ban") this.scheduleFlush(now);
    this.send(ws, { type: "ack", for: action, ref });
  }

  private async pin(ws: WebSocket, productId: string, flashSaleId: string | null, ref?: string): Promise<void> {
    const onShelf = this.sql.exec("SELECT 1 FROM shelf WHERE product_id = ?", productId).toArray().length > 0;
    if (!onShelf) return this.error(ws, "not_found", "That product is not on this session's shelf.", ref);
    const now = Date.now();
    const product = await this.liveProduct(productId, flashSaleId, now);
    if (!product) return this.error(ws, "not_found", "No such flash sale for that product.", ref);
    if (product.flashSale && Date.parse(product.flashSale.endsAt) <= now) {
      return this.error(ws, "sale_ended", "That flash sale has ended.", ref);
    }
    const previous = this.get<PinnedProduct | null>("pinned", null);
    if (previous) this.recordUnpin(previous, now);
    this.set("pinned", product);
    this.recordPin(product, now);
    this.broadcast({ type: "pinned", product });
    this.scheduleRefresh(now);
  }

  /** The pinned product as it is now: its lowest price, the stock left, and its flash sale's terms and stock. */
  private async liveProduct(productId: string, flashSaleId: string | null, now: number): Promise<PinnedProduct | null> {
    const db = database(this.env);
    const [productRows, saleRows] = await db.batch([
      db
        .select({
          title: products.title,
          images: products.images,
          // The lowest unit price (shared/pricing.ts: a campaign price on its main day, else the list price).
          price: sql<number | null>`MIN(${sql.raw(unitPriceSql("skus"))})`,
          currency: sql<string | null>`MIN(${skus.currency})`,
          stock: sql<number>`COALESCE(SUM(${skus.stock}), 0)`,
        })
        .from(products)
        .leftJoin(skus, eq(skus.productId, products.id))
        .where(eq(products.id, productId))
        .groupBy(products.id),
      db
        .select({ sale: flashSales, available: flashSaleTallies.available })
        .from(flashSales)
        .innerJoin(skus, eq(skus.id, flashSales.skuId))
        .leftJoin(flashSaleTallies, eq(flashSaleTallies.flashSaleId, flashSales.id))
        .where(and(eq(flashSales.id, flashSaleId ?? ""), eq(skus.productId, productId))),
    ]);
    const row = productRows[0];
    if (!row) return null;
    const saleRow = saleRows[0];
    if (flashSaleId !== null && !saleRow) return null;
    const position =
      this.sql.exec<{ position: number }>("SELECT position FROM shelf WHERE product_id = ?", productId).toArray()[0]
        ?.position ?? 0;
    const item: PinnedProduct = {
      productId,
      position,
      title: row.title,
      imageUrl: row.images[0] ?? null,
      price: row.price === null || row.currency === null ? null : { amount: row.price, currency: row.currency },
      stockLeft: row.stock,
      attribution: this.attribution(productId),
      flashSale: saleRow
        ? {
            id: saleRow.sale.id,
            price: { amount: saleRow.sale.priceAmount, currency: saleRow.sale.currency },
            stockLeft: saleRow.available ?? saleRow.sale.quantity,
            startsAt: saleRow.sale.startsAt,
            endsAt: saleRow.sale.endsAt,
          }
        : null,
      serverTime: iso(now),
    };
    this.sql.exec(
      "UPDATE shelf SET price_amount = ?, currency = ?, stock_left = ? WHERE product_id = ?",
      item.price?.amount ?? null,
      item.price?.currency ?? null,
      item.stockLeft,
      productId,
    );
    return item;
  }

  /** Reads the pinned product's price and stock again; broadcasts only a change. Stops when no one is watching. */
  private async refreshPinned(now: number): Promise<void> {
    this.set("refresh_at", null);
    const pinned = this.get<PinnedProduct | null>("pinned", null);
    if (!pinned || this.over()) return;
    // A flash sale past its end closes in the timeline and leaves the pinned product.
    const saleOver = pinned.flashSale !== null && Date.parse(pinned.flashSale.endsAt) <= now;
    const fresh = await this.liveProduct(pinned.productId, saleOver ? null : (pinned.flashSale?.id ?? null), now);
    // The pin may have changed while the database answered.
    if (this.get<PinnedProduct | null>("pinned", null)?.productId !== pinned.productId || !fresh) return;
    if (saleOver && pinned.flashSale) {
      this.record("flash_sale_closed", pinned.productId, { flashSaleId: pinned.flashSale.id }, now);
    }
    const changed =
      saleOver ||
      fresh.stockLeft !== pinned.stockLeft ||
      fresh.price?.amount !== pinned.price?.amount ||
      fresh.flashSale?.stockLeft !== pinned.flashSale?.stockLeft;
    if (changed) {
      this.set("pinned", fresh);
      this.broadcast({ type: "pinned", product: fresh });
    }
    if (this.openSockets().length > 0) this.set("refresh_at", now + REFRESH_INTERVAL_MS);
  }

  private async loadShelf(sessionId: string): Promise<Omit<ShelfItem, "attribution">[]> {
    const db = database(this.env);
    const rows = await db
      .select({
        productId: liveSessionProducts.productId,
        position: liveSessionProducts.position,
        title: products.title,
        images: products.images,
        // The lowest unit price (shared/pricing.ts: a campaign price on its main day, else the list price).
        price: sql<number | null>`MIN(${sql.raw(unitPriceSql("skus"))})`,
        currency: sql<string | null>`MIN(${skus.currency})`,
        stock: sql<number>`COALESCE(SUM(${skus.stock}), 0)`,
      })
      .from(liveSessionProducts)
      .innerJoin(products, eq(products.id, liveSessionProducts.productId))
      .leftJoin(skus, eq(skus.productId, products.id))
      .where(eq(liveSessionProducts.sessionId, sessionId))
      .groupBy(liveSessionProducts.productId)
      .orderBy(liveSessionProducts.position);
    return rows.map((r) => ({
      productId: r.productId,
      position: r.position,
      title: r.title,
      imageUrl: r.images[0] ?? null,
      price: r.price === null || r.currency === null ? null : { amount: r.price, currency: r.currency },
      stockLeft: r.stock,
    }));
  }
}
