// One session as the API shows it: its row, its shelf in order, and the viewers in its room right now.
import { asc, eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { liveSessionProducts, liveSessions } from "#shared/schema.ts";
import { type LiveSession, toLiveSession } from "./session.ts";

export async function viewerCount(env: Env, meta: { id: string; status: string }): Promise<number> {
  // Only a live session's room is asked; scheduled and ended rooms are not woken (nor created) for a count.
  if (meta.status !== "live") return 0;
  return (await env.LIVE_ROOM.getByName(meta.id).snapshot()).viewerCount;
}

export async function getSession(env: Env, id: string): Promise<{ session: LiveSession; version: number }> {
  const db = database(env);
  const [rows, shelf] = await db.batch([
    db.select().from(liveSessions).where(eq(liveSessions.id, id)),
    db
      .select({ productId: liveSessionProducts.productId })
      .from(liveSessionProducts)
      .where(eq(liveSessionProducts.sessionId, id))
      .orderBy(asc(liveSessionProducts.position)),
  ]);
  const row = rows[0];
  if (!row) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  const count = await viewerCount(env, row);
  return {
    session: toLiveSession(
      row,
      shelf.map((s) => s.productId),
      count,
    ),
    version: row.version,
  };
}
