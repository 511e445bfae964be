// createNote: a shopper or creator posts a note; its topics (explicit and #hashtags) and product tags are checked,
// and the note and its tags are written in one batch (one transaction), so a note never shows half its tags.
import type { Database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { noteProducts, notes } from "#shared/schema.ts";
import { checkProductTags, mergeTopics, type NoteCreate, type NoteRow, type Person } from "./note.ts";

export async function createNote({
  db,
  person,
  input,
}: {
  db: Database;
  person: Person;
  input: NoteCreate;
}): Promise<NoteRow> {
  const topics = mergeTopics(input.topics, input.body);
  const productIds = await checkProductTags(db, input.productIds);
  const id = newId("note");
  const now = new Date().toISOString();
  const insertNote = db
    .insert(notes)
    .values({
      id,
      creatorId: person.type === "creator" ? person.creatorId : null,
      shopperId: person.type === "shopper" ? person.shopperId : null,
      title: input.title,
      searchPinyin: searchPinyin(input.title),
      body: input.body,
      images: input.images,
      topics,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const [inserted] =
    productIds.length > 0
      ? await db.batch([
          insertNote,
          db.insert(noteProducts).values(productIds.map((productId) => ({ noteId: id, productId }))),
        ])
      : [await insertNote];
  const row = inserted[0];
  if (!row) throw new Error(`note ${id} was not inserted`);
  return row;
}
