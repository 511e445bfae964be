// Likes and viewer figures: likes are summed in memory between flushes (a like storm costs no storage write per
// message), and the like total and viewer figures are broadcast only when changed, at most once per flush interval.
// Each person's likes are counted at most at a thumb's pace, whatever counts their client sends.
// Its storage is cells of the room's kv: likes_total, peak, viewers_sent, last_flush and flush_at (the alarm's).
import { iso, type RoomCore } from "./core.ts";
import type { ViewerFigures } from "./protocol.ts";
import type { Timeline } from "./timeline.ts";

/** How often totals may be broadcast. */
export const FLUSH_INTERVAL_MS = 250;
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

/** The most likes a second the room counts from one person: faster than anyone taps. */
export const LIKES_PER_SECOND = 20;

/**
 * The most likes one person may add at once: one `like {count}` of a whole interval's taps, and at least a second's
 * so a message that arrives early (timers, the network) loses nothing. Refilled at LIKES_PER_SECOND.
 */
export function likeBurst(intervalMs: number): number {
  return (LIKES_PER_SECOND * Math.max(intervalMs, 1000)) / 1000;
}

export class Audience {
  // Likes since the last flush, in memory. At most one flush interval of likes (250 ms) is lost if the object is
  // evicted with likes pending.
  private pendingLikes = 0;
  private flushScheduled = false;
  private flushDueAt: number | null = null;
  // Each person's likes still allowed (a token bucket) and when it was counted. In memory on purpose: losing it on
  // eviction or hibernation only refills buckets, which an idle moment does anyway. One entry per person who liked.
  private readonly allowance = new Map<string, { likes: number; at: number }>();
  // The like interval last announced (set by figures()), so a like never counts the sockets.
  private intervalMs: number | null = null;

  private readonly core: RoomCore;
  private readonly timeline: Timeline;
  private readonly uniqueViewers: () => number;
  /** Sets the room's one alarm for whatever is due next. */
  private readonly setAlarm: () => Promise<void>;

  constructor(core: RoomCore, timeline: Timeline, uniqueViewers: () => number, setAlarm: () => Promise<void>) {
    this.core = core;
    this.timeline = timeline;
    this.uniqueViewers = uniqueViewers;
    this.setAlarm = setAlarm;
  }

  /**
   * The hot message of a like storm: no storage until the flush, which runs here once due if the alarm lags. Counts
   * what the person's allowance has left of `count` and drops the rest; answers how many were counted.
   */
  like(identity: string, count: number, now: number): number {
    this.intervalMs ??= likeIntervalMs(this.core.openSockets().length);
    const burst = likeBurst(this.intervalMs);
    const last = this.allowance.get(identity);
    const left = last ? Math.min(burst, last.likes + (Math.max(0, now - last.at) * LIKES_PER_SECOND) / 1000) : burst;
    const counted = Math.min(count, Math.floor(left));
    this.allowance.set(identity, { likes: left - counted, at: now });
    if (counted === 0) return 0;
    this.pendingLikes += counted;
    if (!this.flushScheduled) this.scheduleFlush(now);
    // Under a storm the alarm can queue behind the messages: flush here once it is due, so totals keep flowing.
    else if (this.flushDueAt !== null && now >= this.flushDueAt) this.flush(now);
    return counted;
  }

  /** Every like, flushed or not. */
  likes(): number {
    return this.flushedLikes() + this.core.get("likes_pending", 0) + this.pendingLikes;
  }

  flushedLikes(): number {
    return this.core.get("likes_total", 0);
  }

  peak(): number {
    return this.core.get("peak", 0);
  }

  /** Keeps the peak up to date with the sockets open now. */
  notePeak(): number {
    const current = this.core.openSockets().length;
    let peak = this.peak();
    if (current > peak) {
      peak = current;
      this.core.set("peak", peak);
    }
    return peak;
  }

  figures(): ViewerFigures {
    const peak = this.notePeak();
    const current = this.core.openSockets().length;
    this.intervalMs = likeIntervalMs(current);
    return { current, peak, unique: this.uniqueViewers(), likeIntervalMs: this.intervalMs };
  }

  flushAt(): number | null {
    return this.core.get<number | null>("flush_at", null);
  }

  /** Likes and viewer counts, broadcast only when changed; the alarm calls this at most every 250 ms. */
  flush(now: number): void {
    // `likes_pending` in storage is from rooms made before likes were kept in memory.
    const pending = this.core.get("likes_pending", 0) + this.pendingLikes;
    this.pendingLikes = 0;
    if (pending > 0) {
      this.core.set("likes_pending", 0);
      this.timeline.countMinute("likes", pending, now);
      this.core.broadcast({ type: "likes", total: this.core.add("likes_total", pending), at: iso(now) });
    }
    const viewers = this.figures();
    const sent = this.core.get<ViewerFigures | null>("viewers_sent", null);
    if (!sent || sent.current !== viewers.current || sent.peak !== viewers.peak || sent.unique !== viewers.unique) {
      this.core.set("viewers_sent", viewers);
      this.core.broadcast({ type: "viewers", ...viewers });
    }
    this.core.set("last_flush", now);
    this.core.set("flush_at", null);
    this.flushScheduled = false;
    this.flushDueAt = null;
  }

  scheduleFlush(now: number): void {
    this.flushScheduled = true;
    const scheduled = this.flushAt();
    if (scheduled !== null) {
      this.flushDueAt = scheduled;
      return;
    }
    this.flushDueAt = Math.max(now, this.core.get("last_flush", 0) + FLUSH_INTERVAL_MS);
    this.core.set("flush_at", this.flushDueAt);
    void this.setAlarm();
  }

  /** The room is over: no flush is due any more. */
  stop(): void {
    this.core.set("flush_at", null);
  }
}
