// What every part of the room builds on: its key-value cells, the session's status, the sockets, and the broadcast
// buffer (each broadcast numbered by `seq`; the newest BUFFER_SIZE are kept for clients that resume).
import type { StreamRole } from "../sessions/stream/livekit.ts";
import type { Broadcast, ErrorCode } from "./protocol.ts";

/** Broadcasts kept for clients that reconnect with their last `seq`. */
export const BUFFER_SIZE = 1_000;

export const coreMigrations = [
  "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS broadcasts (seq INTEGER PRIMARY KEY, frame TEXT NOT NULL)",
];

export type RoomStatus = "scheduled" | "live" | "ended" | "cancelled";

/** Who a socket is: set at the upgrade from the verified room token, kept across hibernation. */
export interface Attachment {
  identity: string;
  name: string;
  role: StreamRole;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export class RoomCore {
  // The status is read on every message; the object is its only writer, so memory mirrors storage.
  private statusCache: RoomStatus | null | undefined;

  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  get<T>(key: string, fallback: T): T {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  set(key: string, value: unknown): void {
    this.sql.exec(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  add(key: string, delta: number): number {
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

  status(): RoomStatus | null {
    if (this.statusCache === undefined) this.statusCache = this.get<RoomStatus | null>("status", null);
    return this.statusCache;
  }

  /** Ended or cancelled: the room admits no one and takes no messages. */
  over(): boolean {
    const status = this.status();
    return status === "ended" || status === "cancelled";
  }

  setStatus(status: RoomStatus): void {
    this.set("status", status);
    this.statusCache = status;
  }

  startedAt(): number | null {
    return this.get<number | null>("started_at", null);
  }

  openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** One person's sockets (each is tagged with its identity at the upgrade). */
  socketsOf(identity: string): WebSocket[] {
    return this.ctx.getWebSockets(identity);
  }

  send(ws: WebSocket, frame: Record<string, unknown>): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // closing; its close handler updates the counts
    }
  }

  error(ws: WebSocket, code: ErrorCode, message: string, ref?: string, errors?: { path: string; message: string }[]) {
    this.send(ws, { type: "error", code, message, ref, errors });
  }

  broadcast(frame: Broadcast): number {
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
  resume(ws: WebSocket, lastSeq: number): void {
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
}
