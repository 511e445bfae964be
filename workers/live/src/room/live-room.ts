// One LiveRoom per live session, reached by the session id (getByName). Its viewers are hibernating WebSockets (who
// each one is rides in its attachment); what must outlive an eviction is in the object's SQLite storage, each part
// owning its tables: chat and moderation, likes and viewers, the shelf, the replay timeline. The class keeps the
// lifecycle, the sockets and the one alarm. The Worker verifies the room token and passes the claims in a header.
import { DurableObject } from "cloudflare:workers";
import { type ProblemCode, problemBody, problemResponse } from "#shared/errors.ts";
import { REQUEST_ID_HEADER } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { migrateStoragePart } from "#shared/storage.ts";
import type { RoomClaims } from "../sessions/stream/room-token.ts";
import { Audience } from "./audience.ts";
import { Chat, chatMigrations } from "./chat.ts";
import { type Attachment, coreMigrations, iso, RoomCore, type RoomStatus } from "./core.ts";
import { ClientMessage, hostOnly, MAX_FRAME_LENGTH, moderatorOnly } from "./protocol.ts";
import { Shelf, shelfMigrations } from "./shelf.ts";
import { Timeline, type TimelineEvent, timelineMigrations } from "./timeline.ts";

export const CLAIMS_HEADER = "x-live-room-claims";
export const SETUP_HEADER = "x-live-room-setup";

export interface RoomSetup {
  sessionId: string;
  status: RoomStatus;
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

export interface RoomEnd {
  totals: RoomTotals;
  events: TimelineEvent[];
}

// Each part's migrations are numbered on their own. Their tables are created IF NOT EXISTS because a room's storage
// may already hold them, created under one numbering for the whole object (its `_schema_version`).
const migrations = { core: coreMigrations, chat: chatMigrations, shelf: shelfMigrations, timeline: timelineMigrations };

export class LiveRoom extends DurableObject<Env> {
  private readonly core: RoomCore;
  private readonly timeline: Timeline;
  private readonly chat: Chat;
  private readonly audience: Audience;
  private readonly shelf: Shelf;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      for (const [part, statements] of Object.entries(migrations))
        migrateStoragePart(ctx.storage.sql, part, statements);
    });
    const setAlarm = () => this.setNextAlarm();
    this.core = new RoomCore(ctx);
    this.timeline = new Timeline(this.core);
    this.chat = new Chat(this.core, this.timeline);
    this.audience = new Audience(this.core, this.timeline, () => this.chat.uniqueViewers(), setAlarm);
    this.shelf = new Shelf(this.core, env, this.timeline, setAlarm);
  }

  // ---- RPC from the live Worker ----

  /** Records the session (idempotent; never moves an ended room back) and loads its shelf from the database. */
  async configure(setup: RoomSetup): Promise<void> {
    const core = this.core;
    const shelf = await this.shelf.load(setup.sessionId);
    core.set("session_id", setup.sessionId);
    core.set("host_identity", setup.hostIdentity);
    if (!core.over()) {
      core.setStatus(setup.status);
      if (setup.startedAt) core.set("started_at", Date.parse(setup.startedAt));
    }
    if (setup.keywords) this.chat.setKeywords(setup.keywords);
    this.shelf.replace(shelf);
    core.set("configured", true);
  }

  /** configure() once: for rooms of sessions scheduled before rooms were configured at creation (the demo's). */
  async ensureConfigured(setup: RoomSetup): Promise<void> {
    if (!this.core.get("configured", false)) await this.configure(setup);
  }

  snapshot(): RoomSnapshot {
    return {
      viewerCount: this.core.openSockets().length,
      status: this.core.status(),
      likes: this.audience.likes(),
      peakViewers: this.audience.peak(),
    };
  }

  /** scheduled → live. Idempotent; an ended or cancelled room stays so. */
  start(at: string): { ok: true } | { ok: false; reason: "ended" } {
    const core = this.core;
    if (core.over()) return { ok: false, reason: "ended" };
    if (core.status() === "live") return { ok: true };
    const startedAt = Date.parse(at);
    core.setStatus("live");
    core.set("started_at", startedAt);
    this.timeline.record("stream_started", null, {}, startedAt);
    // What was pinned before going live is shown from the first second.
    const pinned = this.shelf.pinned();
    if (pinned) this.timeline.recordPin(pinned, startedAt);
    core.broadcast({ type: "status", status: "live", at });
    return { ok: true };
  }

  /** scheduled → cancelled: whoever waits in the room is told and let go. Idempotent; a started room refuses. */
  cancel(at: string): { ok: true } | { ok: false; reason: "started" } {
    const status = this.core.status();
    if (status === "cancelled") return { ok: true };
    if (status === "live" || status === "ended") return { ok: false, reason: "started" };
    this.core.setStatus("cancelled");
    this.close("cancelled", at, "The live session was cancelled.", { unpin: false });
    return { ok: true };
  }

  /** → ended: final totals and the replay timeline. Idempotent: a second call returns the same. */
  end(at: string): RoomEnd {
    const core = this.core;
    const done = core.get<RoomEnd | null>("ended_result", null);
    if (done) return done;
    const endedAt = Date.parse(at);
    this.audience.flush(endedAt);
    const pinned = this.shelf.pinned();
    if (pinned) this.timeline.recordUnpin(pinned, endedAt);
    this.timeline.record("stream_ended", null, {}, endedAt);
    const startedAt = core.startedAt();
    const totals: RoomTotals = {
      peakViewers: this.audience.peak(),
      uniqueViewers: this.chat.uniqueViewers(),
      likes: this.audience.flushedLikes(),
      ...this.chat.totals(),
      durationMs: startedAt === null ? null : Math.max(0, endedAt - startedAt),
    };
    const result: RoomEnd = { totals, events: this.timeline.events() };
    core.setStatus("ended");
    core.set("ended_result", result);
    this.close("ended", at, "The live session has ended.", { unpin: true });
    return result;
  }

  /** The room is over: nothing more is scheduled, and everyone is told and let go. */
  private close(status: "ended" | "cancelled", at: string, reason: string, options: { unpin: boolean }): void {
    this.shelf.stop(options);
    this.audience.stop();
    this.core.broadcast({ type: "status", status, at });
    for (const ws of this.core.openSockets()) ws.close(1000, reason);
    this.ctx.storage.deleteAlarm();
  }

  // ---- The socket ----

  override async fetch(request: Request): Promise<Response> {
    // Refusals are problems like every other answer of the API, under the request's id (the Worker passes it on).
    const refuse = (code: ProblemCode, detail: string) =>
      problemResponse(problemBody(code, detail, request.headers.get(REQUEST_ID_HEADER) || newId("req")));
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refuse("validation_failed", "Expected a WebSocket upgrade.");
    }
    const header = (name: string) => JSON.parse(decodeURIComponent(request.headers.get(name) ?? "null"));
    const claims = header(CLAIMS_HEADER) as RoomClaims | null;
    const setup = header(SETUP_HEADER) as RoomSetup | null;
    if (!claims || !setup) return refuse("unauthorized", "The room needs verified claims.");
    await this.ensureConfigured(setup);
    if (this.core.status() === "cancelled") return refuse("session_cancelled", "The live session was cancelled.");
    if (this.core.over()) return refuse("conflict", "The live session has ended.");
    if (this.chat.banned(claims.identity)) return refuse("forbidden", "You were removed from this live session.");

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [claims.identity]);
    const attachment: Attachment = { identity: claims.identity, name: claims.name, role: claims.role };
    server.serializeAttachment(attachment);
    const now = Date.now();
    this.chat.admit(attachment, now);
    this.audience.notePeak();

    server.send(JSON.stringify(this.welcome(attachment)));
    const lastSeq = new URL(request.url).searchParams.get("lastSeq");
    if (lastSeq !== null && /^\d{1,15}$/.test(lastSeq)) this.core.resume(server, Number(lastSeq));
    this.audience.scheduleFlush(now);
    this.shelf.watched(now);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const core = this.core;
    if (typeof message !== "string") return core.error(ws, "invalid_message", "Send JSON text frames.");
    if (message.length > MAX_FRAME_LENGTH) {
      return core.error(ws, "invalid_message", `Frames are limited to ${MAX_FRAME_LENGTH} characters.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return core.error(ws, "invalid_message", "The frame is not JSON.");
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const ref =
        json && typeof json === "object" && "ref" in json && typeof json.ref === "string" ? json.ref : undefined;
      const errors = parsed.error.issues.map((i) => ({ path: `/${i.path.join("/")}`, message: i.message }));
      return core.error(ws, "invalid_message", "The message is unknown or has invalid fields.", ref, errors);
    }
    const msg = parsed.data;
    if (msg.type === "like") {
      // The hot message of a like storm: no storage; the attachment only says whose allowance the likes draw on.
      if (core.over()) return core.error(ws, "session_ended", "The live session is over.", msg.ref);
      const { identity } = ws.deserializeAttachment() as Attachment;
      this.audience.like(identity, msg.count, Date.now());
      return;
    }
    const who = ws.deserializeAttachment() as Attachment;
    if (moderatorOnly.has(msg.type) && who.role === "viewer") {
      return core.error(ws, "forbidden", "Only the host and moderators may do that.", msg.ref);
    }
    if (hostOnly.has(msg.type) && who.role !== "host") {
      return core.error(ws, "forbidden", "Only the host may do that.", msg.ref);
    }
    if (core.over()) return core.error(ws, "session_ended", "The live session is over.", msg.ref);
    const now = Date.now();
    switch (msg.type) {
      case "ping":
        return core.send(ws, { type: "pong", seq: core.get("seq", 0), ref: msg.ref });
      case "resume":
        return core.resume(ws, msg.lastSeq);
      case "comment":
      case "ask":
        return this.chat.post(ws, who, msg.type, msg.body, now, msg.ref);
      case "upvote":
        return this.chat.upvote(ws, who, msg.questionId, msg.ref);
      case "delete_comment":
        return this.chat.deleteComment(ws, msg.commentId, msg.ref);
      case "mute":
      case "unmute":
      case "ban": {
        const seconds = msg.type === "mute" ? msg.seconds : 0;
        if (!this.chat.moderate(ws, msg.type, msg.identity, seconds, now, msg.ref)) return;
        // A banned viewer's socket closes: the viewer figures change.
        if (msg.type === "ban") this.audience.scheduleFlush(now);
        return core.send(ws, { type: "ack", for: msg.type, ref: msg.ref });
      }
      case "answer":
        return this.chat.answer(ws, msg.questionId, msg.ref);
      case "announce":
        core.broadcast({ type: "announcement", body: msg.body, name: who.name, at: iso(now) });
        return;
      case "set_keywords":
        this.chat.setKeywords(msg.keywords);
        return core.send(ws, { type: "ack", for: msg.type, ref: msg.ref });
      case "pin":
        return this.shelf.pin(ws, msg.productId, msg.flashSaleId ?? null, msg.ref);
      case "unpin":
        return this.shelf.unpin(now);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.audience.scheduleFlush(Date.now());
  }

  override async webSocketError(): Promise<void> {
    this.audience.scheduleFlush(Date.now());
  }

  /** The one alarm, set for the earlier of the totals' flush and the pinned product's refresh. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const flushAt = this.audience.flushAt();
    const refreshAt = this.shelf.refreshAt();
    // Run early (a test's runDurableObjectAlarm, or clock skew): do what is pending rather than nothing.
    const early = (flushAt === null || flushAt > now) && (refreshAt === null || refreshAt > now);
    if (flushAt !== null && (flushAt <= now || early)) this.audience.flush(now);
    if (refreshAt !== null && (refreshAt <= now || early)) await this.shelf.refresh(now);
    await this.setNextAlarm();
  }

  private async setNextAlarm(): Promise<void> {
    const due = [this.audience.flushAt(), this.shelf.refreshAt()].filter((t): t is number => t !== null);
    if (due.length === 0) return;
    await this.ctx.storage.setAlarm(Math.min(...due));
  }

  private welcome(who: Attachment): Record<string, unknown> {
    const startedAt = this.core.startedAt();
    return {
      type: "welcome",
      identity: who.identity,
      name: who.name,
      role: who.role,
      seq: this.core.get("seq", 0),
      state: {
        status: this.core.status(),
        startedAt: startedAt === null ? null : iso(startedAt),
        likes: this.audience.likes(),
        viewers: this.audience.figures(),
        shelf: this.shelf.items(),
        pinned: this.shelf.pinned(),
        ...this.chat.recent(),
      },
    };
  }
}
