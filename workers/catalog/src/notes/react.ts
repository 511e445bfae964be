// Likes and saves (收藏): at most one per person and note (the tables' primary keys). The count moves only when a
// row really appears or disappears: in one batch (one transaction), the UPDATE bumps the count only if the row does
// not exist yet (or, to undo, still exists), then the row is inserted (ignoring a duplicate) or deleted. Writers are
// serialized by the database, so 20 concurrent likes by one person count once, and by 20 people count 20.
import { and, eq, exists, not, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { noteLikes, noteSaves, notes } from "#shared/schema.ts";
import { publishedNote } from "./note.ts";

export type Reaction = "like" | "save";

const tables = {
  like: { table: noteLikes, count: notes.likeCount, field: "likeCount" },
  save: { table: noteSaves, count: notes.saveCount, field: "saveCount" },
} as const;

export interface ReactionState {
  noteId: string;
  active: boolean;
  count: number;
}

export async function setReaction({
  db,
  reaction,
  noteId,
  actorId,
  active,
}: {
  db: Database;
  reaction: Reaction;
  noteId: string;
  actorId: string;
  active: boolean;
}): Promise<ReactionState> {
  await publishedNote(db, noteId);
  const { table, count, field } = tables[reaction];
  const mine = and(eq(table.noteId, noteId), eq(table.actorId, actorId));
  const existing = db.select({ one: sql`1` }).from(table).where(mine);
  const read = db.select({ count }).from(notes).where(eq(notes.id, noteId));
  const [, , after] = active
    ? await db.batch([
        db
          .update(notes)
          .set({ [field]: sql`${count} + 1` })
          .where(and(eq(notes.id, noteId), not(exists(existing)))),
        db.insert(table).values({ noteId, actorId }).onConflictDoNothing(),
        read,
      ])
    : await db.batch([
        db
          .update(notes)
          .set({ [field]: sql`max(${count} - 1, 0)` })
          .where(and(eq(notes.id, noteId), exists(existing))),
        db.delete(table).where(mine),
        read,
      ]);
  return { noteId, active, count: after[0]?.count ?? 0 };
}
