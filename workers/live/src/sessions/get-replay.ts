// getReplay: an ended session's recording URL, its product segments (pinned → unpinned, so a storefront can jump to
// the moment a product was shown), its timeline and totals, from libSQL (written when the session ended), and its GMV
// as it is now (orders may be paid after the stream), in one batch.
import { asc, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { liveSessionEvents, liveSessionSummaries, liveSessions } from "#shared/schema.ts";
import { gmvQuery, toGmv } from "./gmv.ts";

const seconds = (ms: number) => Math.round(ms) / 1000;

export async function getReplay(db: Database, id: string) {
  const [sessions, summaries, events, gmv] = await db.batch([
    db.select().from(liveSessions).where(eq(liveSessions.id, id)),
    db.select().from(liveSessionSummaries).where(eq(liveSessionSummaries.sessionId, id)),
    db.select().from(liveSessionEvents).where(eq(liveSessionEvents.sessionId, id)).orderBy(asc(liveSessionEvents.seq)),
    gmvQuery(db, id),
  ]);
  const session = sessions[0];
  if (!session) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  if (session.status === "cancelled") {
    throw new ProblemError("session_cancelled", `Live session ${id} was cancelled; it has no replay.`);
  }
  if (session.status !== "ended") {
    throw new ProblemError("conflict", `Live session ${id} is ${session.status}; its replay is ready when it ends.`);
  }
  const summary = summaries[0];
  const end = events.find((e) => e.type === "stream_ended")?.offsetMs ?? summary?.durationMs ?? 0;
  const segments: { productId: string; start: number; end: number; flashSaleId: string | null }[] = [];
  const close = (segment: { productId: string; start: number; end: number; flashSaleId: string | null }) => {
    // A sale's close and the unpin at the same instant leave no empty segment behind.
    if (segment.end > segment.start || segments.at(-1)?.productId !== segment.productId) segments.push(segment);
  };
  let open: { productId: string; start: number; flashSaleId: string | null } | null = null;
  for (const e of events) {
    if (e.type === "product_pinned" && e.productId) {
      if (open) close({ ...open, end: seconds(e.offsetMs) });
      open = { productId: e.productId, start: seconds(e.offsetMs), flashSaleId: null };
    } else if (e.type === "flash_sale_opened" && open && open.productId === e.productId) {
      open.flashSaleId = typeof e.data.flashSaleId === "string" ? e.data.flashSaleId : null;
    } else if (e.type === "flash_sale_closed" && open && open.productId === e.productId && e.offsetMs < end) {
      // The sale ended while its product stayed pinned: the rest of the segment is without it.
      close({ ...open, end: seconds(e.offsetMs) });
      open = { productId: open.productId, start: seconds(e.offsetMs), flashSaleId: null };
    } else if (e.type === "product_unpinned" && open) {
      close({ ...open, end: seconds(e.offsetMs) });
      open = null;
    }
  }
  if (open) close({ ...open, end: seconds(end) });
  return {
    object: "live_replay" as const,
    sessionId: id,
    recordingUrl: summary?.recordingUrl ?? null,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    durationSeconds: summary?.durationMs == null ? null : seconds(summary.durationMs),
    segments,
    events: events.map((e) => ({ offset: seconds(e.offsetMs), type: e.type, productId: e.productId, data: e.data })),
    totals: {
      peakViewers: summary?.peakViewers ?? 0,
      uniqueViewers: summary?.uniqueViewers ?? 0,
      likes: summary?.likes ?? 0,
      comments: summary?.comments ?? 0,
      questions: summary?.questions ?? 0,
      gmv: toGmv(gmv),
      gmvAtEnd: summary?.gmv ? toGmv(summary.gmv) : null,
    },
  };
}
