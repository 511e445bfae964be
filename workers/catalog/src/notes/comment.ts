// Comments on notes: adding one and bumping commentCount are one batch (one transaction); removing one (soft:
// deletedAt) lowers the count only if the comment was still there, in the same batch, so the count stays exact.
import { and, eq, exists, isNull, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { newestPage, type Page, type PageRequest } from "#shared/pagination.ts";
import { noteComments, notes } from "#shared/schema.ts";
import { authorIdOf, authorsOf, type Comment, publishedNote, unknownAuthor } from "./note.ts";

type CommentRow = typeof noteComments.$inferSelect;

async function toComments(db: Database, rows: CommentRow[]): Promise<Comment[]> {
  const authors = await authorsOf(
    db,
    rows.map((r) => r.authorId),
  );
  return rows.map((r) => ({
    id: r.id,
    object: "comment",
    noteId: r.noteId,
    author: authors.get(r.authorId) ?? unknownAuthor(r.authorId),
    body: r.body,
    createdAt: r.createdAt,
  }));
}

export async function addComment({
  db,
  noteId,
  authorId,
  body,
}: {
  db: Database;
  noteId: string;
  authorId: string;
  body: string;
}): Promise<Comment> {
  await publishedNote(db, noteId);
  const id = newId("cmt");
  const [inserted] = await db.batch([
    db.insert(noteComments).values({ id, noteId, authorId, body, createdAt: new Date().toISOString() }).returning(),
    db
      .update(notes)
      .set({ commentCount: sql`${notes.commentCount} + 1` })
      .where(eq(notes.id, noteId)),
  ]);
  const [comment] = await toComments(db, inserted);
  if (!comment) throw new Error(`comment ${id} was not inserted`);
  return comment;
}

/** Newest first; comments of a deleted note are gone with it. */
export async function listComments({
  db,
  noteId,
  limit,
  cursor,
}: { db: Database; noteId: string } & PageRequest): Promise<Page<Comment>> {
  await publishedNote(db, noteId);
  const result = await newestPage(
    db.select().from(noteComments).$dynamic(),
    noteComments.id,
    { limit, cursor },
    eq(noteComments.noteId, noteId),
    isNull(noteComments.deletedAt),
  );
  return { data: await toComments(db, result.data), nextCursor: result.nextCursor };
}

/** The comment's author or the note's author may remove it; to anyone else it does not exist (404). */
export async function deleteComment({
  db,
  noteId,
  commentId,
  personId,
}: {
  db: Database;
  noteId: string;
  commentId: string;
  personId: string;
}): Promise<void> {
  const note = await publishedNote(db, noteId);
  const comment = await db.query.noteComments.findFirst({
    where: and(eq(noteComments.id, commentId), eq(noteComments.noteId, noteId), isNull(noteComments.deletedAt)),
  });
  if (!comment || (comment.authorId !== personId && authorIdOf(note) !== personId)) {
    throw new ProblemError("not_found", `Comment ${commentId} does not exist.`);
  }
  const live = and(eq(noteComments.id, commentId), isNull(noteComments.deletedAt));
  await db.batch([
    db
      .update(notes)
      .set({ commentCount: sql`max(${notes.commentCount} - 1, 0)` })
      .where(and(eq(notes.id, noteId), exists(db.select({ one: sql`1` }).from(noteComments).where(live)))),
    db.update(noteComments).set({ deletedAt: new Date().toISOString() }).where(live),
  ]);
}
