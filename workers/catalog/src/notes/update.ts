// updateNote and deleteNote: the author changes or removes their own note. An edit runs in one write transaction
// (read, version check, note and tags replaced), so two edits holding the same ETag cannot both win and tags never
// mix; a delete is one conditional UPDATE (soft: status = deleted, gone from every read).
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { noteProducts, notes } from "#shared/schema.ts";
import {
  authoredBy,
  checkNoteIfMatch,
  checkProductTags,
  hashtagsOf,
  mergeTopics,
  type NoteRow,
  type NoteUpdate,
  type Person,
} from "./note.ts";

/**
 * Topics after an edit. Sending `topics` replaces the explicit ones; otherwise the topics that did not come from
 * the old body's hashtags are kept. The new body's hashtags are always added.
 */
function topicsAfter(current: NoteRow, patch: NoteUpdate): string[] | undefined {
  if (patch.topics === undefined && patch.body === undefined) return undefined;
  const body = patch.body ?? current.body;
  if (patch.topics !== undefined) return mergeTopics(patch.topics, body);
  const fromOldBody = new Set(hashtagsOf(current.body).map((t) => t.toLowerCase()));
  return mergeTopics(
    current.topics.filter((t) => !fromOldBody.has(t.toLowerCase())),
    body,
  );
}

export async function updateNote({
  db,
  person,
  id,
  ifMatch,
  patch,
}: {
  db: Database;
  person: Person;
  id: string;
  ifMatch: string | undefined;
  patch: NoteUpdate;
}): Promise<NoteRow> {
  const productIds = patch.productIds === undefined ? undefined : await checkProductTags(db, patch.productIds);
  return db.transaction(async (tx) => {
    const current = await tx.query.notes.findFirst({
      where: and(eq(notes.id, id), eq(notes.status, "published"), authoredBy(person)),
    });
    if (!current) throw new ProblemError("not_found", `Note ${id} does not exist.`);
    checkNoteIfMatch(ifMatch, current);
    const topics = topicsAfter(current, patch);
    const [updated] = await tx
      .update(notes)
      .set({
        ...(patch.title !== undefined ? { title: patch.title, searchPinyin: searchPinyin(patch.title) } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        ...(patch.images !== undefined ? { images: patch.images } : {}),
        ...(topics !== undefined ? { topics } : {}),
        version: sql`${notes.version} + 1`,
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(notes.id, id), eq(notes.version, current.version)))
      .returning();
    if (!updated)
      throw new ProblemError("precondition_failed", `Note ${id} changed meanwhile; read it again and retry.`);
    if (productIds !== undefined) {
      await tx.delete(noteProducts).where(eq(noteProducts.noteId, id));
      if (productIds.length > 0) {
        await tx.insert(noteProducts).values(productIds.map((productId) => ({ noteId: id, productId })));
      }
    }
    return updated;
  });
}

export async function deleteNote({
  db,
  person,
  id,
  ifMatch,
}: {
  db: Database;
  person: Person;
  id: string;
  ifMatch: string | undefined;
}): Promise<void> {
  const current = await db.query.notes.findFirst({
    where: and(eq(notes.id, id), eq(notes.status, "published"), authoredBy(person)),
  });
  if (!current) throw new ProblemError("not_found", `Note ${id} does not exist.`);
  checkNoteIfMatch(ifMatch, current);
  const deleted = await db
    .update(notes)
    .set({ status: "deleted", version: sql`${notes.version} + 1`, updatedAt: new Date().toISOString() })
    .where(and(eq(notes.id, id), eq(notes.status, "published"), eq(notes.version, current.version)))
    .returning({ id: notes.id });
  if (deleted.length === 0) {
    // Changed or deleted since the read: a concurrent delete makes this one a 404, an edit a 412 only if asked.
    const now = await db.query.notes.findFirst({ where: and(eq(notes.id, id), eq(notes.status, "published")) });
    if (!now) throw new ProblemError("not_found", `Note ${id} does not exist.`);
    if (ifMatch !== undefined) throw new ProblemError("precondition_failed", `Note ${id} changed meanwhile.`);
    return deleteNote({ db, person, id, ifMatch });
  }
}
