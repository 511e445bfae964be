// recordRecording: the video server's egress_ended names the file it wrote for a room; the session's summary keeps
// its URL (upserted: the egress may finish before or after the session's end is written).
import { eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { liveSessionSummaries, liveSessions } from "#shared/schema.ts";

export async function recordRecording(
  db: Database,
  input: { sessionId: string; egressId: string; url: string },
): Promise<boolean> {
  const session = await db
    .select({ id: liveSessions.id })
    .from(liveSessions)
    .where(eq(liveSessions.id, input.sessionId));
  if (!session[0]) return false;
  const set = { recordingUrl: input.url, egressId: input.egressId, updatedAt: new Date().toISOString() };
  await db
    .insert(liveSessionSummaries)
    .values({ sessionId: input.sessionId, ...set })
    .onConflictDoUpdate({ target: liveSessionSummaries.sessionId, set });
  return true;
}
