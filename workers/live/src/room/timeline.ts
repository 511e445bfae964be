// The replay timeline: events at their offset from the stream's start (the stream's start and end, pins, flash
// sales opened and closed, answered questions) and per-minute activity (comments and likes), handed to the live
// Worker at the end. Nothing is recorded before the stream starts.

import type { RoomCore } from "./core.ts";
import type { PinnedProduct } from "./protocol.ts";

export type EventData = Record<string, string | number | boolean | null>;

export interface TimelineEvent {
  offsetMs: number;
  type: string;
  productId: string | null;
  data: EventData;
}

export const timelineMigrations = [
  `CREATE TABLE IF NOT EXISTS timeline (seq INTEGER PRIMARY KEY AUTOINCREMENT, offset_ms INTEGER NOT NULL,
     type TEXT NOT NULL, product_id TEXT, data TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS minutes (minute INTEGER PRIMARY KEY, comments INTEGER NOT NULL DEFAULT 0,
     likes INTEGER NOT NULL DEFAULT 0)`,
];

export class Timeline {
  private readonly core: RoomCore;

  constructor(core: RoomCore) {
    this.core = core;
  }

  /** A replay event at its offset from the stream's start. */
  record(type: string, productId: string | null, data: EventData, now = Date.now()): void {
    const startedAt = this.core.startedAt();
    if (startedAt === null || this.core.status() === "scheduled") return;
    this.core.sql.exec(
      "INSERT INTO timeline (offset_ms, type, product_id, data) VALUES (?, ?, ?, ?)",
      Math.max(0, now - startedAt),
      type,
      productId,
      JSON.stringify(data),
    );
  }

  recordPin(p: PinnedProduct, now = Date.now()): void {
    this.record("product_pinned", p.productId, {}, now);
    if (p.flashSale) this.record("flash_sale_opened", p.productId, { flashSaleId: p.flashSale.id }, now);
  }

  recordUnpin(p: PinnedProduct, now: number): void {
    if (p.flashSale) this.record("flash_sale_closed", p.productId, { flashSaleId: p.flashSale.id }, now);
    this.record("product_unpinned", p.productId, {}, now);
  }

  /** Adds to the stream's current minute; only while live. */
  countMinute(column: "comments" | "likes", n: number, now: number): void {
    const startedAt = this.core.startedAt();
    if (this.core.status() !== "live" || startedAt === null) return;
    const minute = Math.max(0, Math.floor((now - startedAt) / 60_000));
    this.core.sql.exec(
      `INSERT INTO minutes (minute, ${column}) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
      minute,
      n,
    );
  }

  /** The events and the per-minute activity, in time order. */
  events(): TimelineEvent[] {
    const sql = this.core.sql;
    return [
      ...sql
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
      ...sql
        .exec<{ minute: number; comments: number; likes: number }>("SELECT * FROM minutes ORDER BY minute")
        .toArray()
        .map((r) => ({
          offsetMs: r.minute * 60_000,
          type: "activity",
          productId: null,
          data: { minute: r.minute, comments: r.comments, likes: r.likes },
        })),
    ].sort((a, b) => a.offsetMs - b.offsetMs);
  }
}
