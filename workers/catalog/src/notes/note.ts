// The API shape of notes (种草笔记), comments and authors, declared once: the zod schemas give the OpenAPI document,
// validation and the types. Also what every note route needs: who wrote it, its tagged products, its ETag.
import { z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import { encodeAttribution } from "#shared/attribution.ts";
import { sha256Hex } from "#shared/crypto.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { checkIfMatch, etagOf } from "#shared/etag.ts";
import { ImageRefSchema } from "#shared/media.ts";
import { money } from "#shared/money.ts";
import { MoneySchema, requiredText, resourceFields, setOf } from "#shared/openapi/schemas.ts";
import { type PaidPartnership, paidPartnershipField, paidPartnershipsOf } from "#shared/paid-partnership.ts";
import { type Actor, checkFirst, requirePerson } from "#shared/principal.ts";
import { creators, merchants, noteProducts, notes, products, shoppers, skus } from "#shared/schema.ts";

export type Person = Extract<Actor, { type: "shopper" | "creator" }>;
export type NoteRow = typeof notes.$inferSelect;

/** Middleware: refuse anyone but a signed-in shopper or creator before their input is read. */
export const personOnly = checkFirst(requirePerson);

// Bounds (docs/guides/notes-and-feed.md): RED's own limits where it has them (18 images), generous elsewhere.
export const limits = {
  title: 100,
  body: 5_000,
  images: 18,
  topics: 10,
  topicLength: 30,
  productTags: 20,
  comment: 1_000,
} as const;

const productId = z.string().regex(/^prod_[0-9A-Za-z]{1,64}$/, "must be a product id (prod_…)");
// A topic is one word-ish tag: letters, digits, _ (any script), an optional leading #, which is dropped.
const topicPattern = new RegExp(`^#?[\\p{L}\\p{N}_]{1,${limits.topicLength}}$`, "u");
const topic = z
  .string()
  .trim()
  .regex(topicPattern, `1 to ${limits.topicLength} letters, digits or _, optionally after #`)
  .transform((t) => t.replace(/^#/, ""));

const noteFields = {
  title: requiredText(limits.title),
  body: z.string().max(limits.body),
  images: z.array(ImageRefSchema).min(1).max(limits.images),
  topics: setOf(topic)
    .max(limits.topics)
    .openapi({
      description: `Topics without '#'. #hashtags in the body are added to them; at most ${limits.topics} in all.`,
    }),
  productIds: setOf(productId).max(limits.productTags).openapi({
    description: "Tagged products, in display order: active products whose merchant allows promotion.",
  }),
};

export const NoteCreateSchema = z
  .object({
    ...noteFields,
    body: noteFields.body.default(""),
    topics: noteFields.topics.default([]),
    productIds: noteFields.productIds.default([]),
  })
  .strict()
  .openapi("NoteCreate");

export const NoteUpdateSchema = z
  .object(noteFields)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, "send at least one field to change")
  .openapi("NoteUpdate");

export type NoteCreate = z.infer<typeof NoteCreateSchema>;
export type NoteUpdate = z.infer<typeof NoteUpdateSchema>;

export const AuthorSchema = z
  .object({
    type: z.enum(["creator", "shopper"]),
    id: z.string(),
    name: z.string().nullable(),
    handle: z.string().nullable(),
    avatarUrl: z.string().nullable(),
  })
  .openapi("Author");
export type Author = z.infer<typeof AuthorSchema>;

export const TaggedProductSchema = z
  .object({
    ...resourceFields("product"),
    merchantId: z.string(),
    title: z.string(),
    image: z.string().nullable(),
    price: MoneySchema.openapi({ description: "The lowest SKU price (“from”)." }),
    inStock: z.boolean().openapi({ description: "Whether any SKU has stock." }),
    attribution: z.string().openapi({
      description: "Carry it to the cart (attr_…) so the sale is credited to this note and its creator.",
      example: "attr_MX5ub3RlXzAxSlo…Y3JlXzAx.1a2b3c4d",
    }),
  })
  .openapi("TaggedProduct");
export type TaggedProduct = z.infer<typeof TaggedProductSchema>;

export const NoteSchema = z
  .object({
    ...resourceFields("note"),
    author: AuthorSchema,
    title: z.string(),
    body: z.string(),
    images: z.array(z.string()),
    topics: z.array(z.string()),
    products: z.array(TaggedProductSchema).openapi({ description: "Tagged products still active, in tag order." }),
    paidPartnership: paidPartnershipField,
    likeCount: z.number().int(),
    saveCount: z.number().int(),
    commentCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Note");
export type Note = z.infer<typeof NoteSchema>;

export const NoteSummarySchema = NoteSchema.omit({ body: true, products: true, images: true })
  .extend({ cover: z.string().nullable(), productIds: z.array(z.string()) })
  .openapi("NoteSummary");
export type NoteSummary = z.infer<typeof NoteSummarySchema>;

export const CommentSchema = z
  .object({
    ...resourceFields("comment"),
    noteId: z.string(),
    author: AuthorSchema,
    body: z.string(),
    createdAt: z.string(),
  })
  .openapi("Comment");
export type Comment = z.infer<typeof CommentSchema>;

// ---- topics ----

// A #hashtag in the body: # not preceded by a word character, then 1..30 word characters (any script) ending there.
const hashtag = new RegExp(
  `(?<![\\p{L}\\p{N}_&#])#([\\p{L}\\p{N}_]{1,${limits.topicLength}})(?![\\p{L}\\p{N}_])`,
  "gu",
);

export function hashtagsOf(body: string): string[] {
  return Array.from(body.matchAll(hashtag), (m) => m[1] ?? "").filter((t) => t.length > 0);
}

/** The explicit topics followed by the body's hashtags, without repeats (compared case-insensitively). */
export function mergeTopics(explicit: string[], body: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of [...explicit, ...hashtagsOf(body)]) {
    const key = t.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  if (out.length > limits.topics) {
    throw new ProblemError("validation_failed", "The note has too many topics.", {
      errors: [
        {
          path: "/topics",
          message: `at most ${limits.topics} topics, counting #hashtags in the body (got ${out.length})`,
        },
      ],
    });
  }
  return out;
}

// ---- ownership ----

/** The condition "written by this person". */
export function authoredBy(person: Person) {
  return person.type === "creator" ? eq(notes.creatorId, person.creatorId) : eq(notes.shopperId, person.shopperId);
}

export function authorIdOf(row: NoteRow): string {
  return row.creatorId ?? row.shopperId ?? "";
}

/** A published note, or a 404 problem. */
export async function publishedNote(db: Database, id: string): Promise<NoteRow> {
  const row = await db.query.notes.findFirst({ where: and(eq(notes.id, id), eq(notes.status, "published")) });
  if (!row) throw new ProblemError("not_found", `Note ${id} does not exist.`);
  return row;
}

/** The caller's own published note, or 404: another person's note is indistinguishable from a missing one. */
export async function ownNote(db: Database, person: Person, id: string): Promise<NoteRow> {
  const row = await db.query.notes.findFirst({
    where: and(eq(notes.id, id), eq(notes.status, "published"), authoredBy(person)),
  });
  if (!row) throw new ProblemError("not_found", `Note ${id} does not exist.`);
  return row;
}

// ---- ETags ----
// A note's ETag is `"<id>.v<version>-<digest>"`: the version changes on every edit by its author, the digest on
// anything else shown (counts, tagged products' prices and stock). If-None-Match compares the whole tag, so a
// cached copy with stale counts is refreshed; If-Match compares only `"<id>.v<version>"`, so a like arriving
// between an author's read and their edit does not fail the edit, while another edit does (412).

export async function noteEtag(note: Note, version: number): Promise<string> {
  const digest = (await sha256Hex(JSON.stringify(note))).slice(0, 16);
  return `"${note.id}.v${version}-${digest}"`;
}

export function checkNoteIfMatch(ifMatch: string | undefined, row: NoteRow): void {
  const versionOnly = ifMatch
    ?.split(",")
    .map((t) => t.trim().replace(/^("[^"]*\.v\d+)-[0-9a-f]+"$/, '$1"'))
    .join(", ");
  checkIfMatch(versionOnly, etagOf(row));
}

// ---- reading ----

/** Authors (creators and shoppers) by prefixed id, in two queries at most. */
export async function authorsOf(db: Database, ids: string[]): Promise<Map<string, Author>> {
  const unique = [...new Set(ids)];
  const creatorIds = unique.filter((id) => id.startsWith("cre_"));
  const shopperIds = unique.filter((id) => id.startsWith("shp_"));
  const [creatorRows, shopperRows] = await Promise.all([
    creatorIds.length ? db.select().from(creators).where(inArray(creators.id, creatorIds)) : [],
    shopperIds.length ? db.select().from(shoppers).where(inArray(shoppers.id, shopperIds)) : [],
  ]);
  const out = new Map<string, Author>();
  for (const id of unique) {
    out.set(id, {
      type: id.startsWith("cre_") ? "creator" : "shopper",
      id,
      name: null,
      handle: null,
      avatarUrl: null,
    });
  }
  for (const r of creatorRows) {
    out.set(r.id, { type: "creator", id: r.id, name: r.name, handle: r.handle, avatarUrl: r.avatarUrl });
  }
  for (const r of shopperRows) {
    out.set(r.id, { type: "shopper", id: r.id, name: r.displayName, handle: null, avatarUrl: null });
  }
  return out;
}

export function unknownAuthor(id: string): Author {
  return { type: id.startsWith("cre_") ? "creator" : "shopper", id, name: null, handle: null, avatarUrl: null };
}

/** A note's tagged products that are still active, in tag order (insertion order), with price and stock state. */
export async function taggedProducts(db: Database, row: NoteRow): Promise<TaggedProduct[]> {
  const rows = await db
    .select({
      id: products.id,
      merchantId: products.merchantId,
      title: products.title,
      images: products.images,
      minPrice: sql<number>`min(${skus.priceAmount})`,
      currency: sql<string>`(SELECT currency FROM skus s2 WHERE s2.product_id = ${products.id} ORDER BY s2.price_amount, s2.id LIMIT 1)`,
      inStock: sql<number>`max(${skus.stock} > 0)`,
    })
    .from(noteProducts)
    .innerJoin(products, eq(products.id, noteProducts.productId))
    .innerJoin(skus, eq(skus.productId, products.id))
    .where(and(eq(noteProducts.noteId, row.id), eq(products.status, "active")))
    .groupBy(products.id)
    .orderBy(sql`min(${noteProducts}.rowid)`);
  return rows.map((p) => ({
    id: p.id,
    object: "product",
    merchantId: p.merchantId,
    title: p.title,
    image: p.images[0] ?? null,
    price: money(p.minPrice, p.currency),
    inStock: p.inStock === 1,
    attribution: encodeAttribution({ noteId: row.id, liveSessionId: null, creatorId: row.creatorId, productId: p.id }),
  }));
}

/** The fields a note and its feed card both end with: its paid-partnership label, its counts and its times. */
function labelCountsAndTimes(row: NoteRow, labels: Map<string, PaidPartnership>) {
  const { likeCount, saveCount, commentCount, createdAt, updatedAt } = row;
  return { paidPartnership: labels.get(row.id) ?? null, likeCount, saveCount, commentCount, createdAt, updatedAt };
}

export async function toNote(db: Database, row: NoteRow): Promise<Note> {
  const authorId = authorIdOf(row);
  const [authors, tagged, labels] = await Promise.all([
    authorsOf(db, [authorId]),
    taggedProducts(db, row),
    paidPartnershipsOf(db, [row.id]),
  ]);
  return {
    id: row.id,
    object: "note",
    author: authors.get(authorId) ?? unknownAuthor(authorId),
    title: row.title,
    body: row.body,
    images: row.images,
    topics: row.topics,
    products: tagged,
    ...labelCountsAndTimes(row, labels),
  };
}

/** Feed cards for a page of notes: authors and tag ids in one query each. */
export async function toSummaries(db: Database, rows: NoteRow[]): Promise<NoteSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [authors, labels, tags] = await Promise.all([
    authorsOf(db, rows.map(authorIdOf)),
    paidPartnershipsOf(db, ids),
    db
      .select({ noteId: noteProducts.noteId, productId: noteProducts.productId })
      .from(noteProducts)
      .where(inArray(noteProducts.noteId, ids))
      .orderBy(sql`${noteProducts}.rowid`),
  ]);
  return rows.map((row) => {
    const authorId = authorIdOf(row);
    return {
      id: row.id,
      object: "note",
      author: authors.get(authorId) ?? unknownAuthor(authorId),
      title: row.title,
      cover: row.images[0] ?? null,
      topics: row.topics,
      productIds: tags.filter((t) => t.noteId === row.id).map((t) => t.productId),
      ...labelCountsAndTimes(row, labels),
    };
  });
}

/**
 * Checks product tags: each must be an active product whose product and merchant allow promotion. Returns them
 * without repeats, in the order given; a 400 problem names every tag at fault.
 */
export async function checkProductTags(db: Database, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = await db
    .select({ id: products.id })
    .from(products)
    .innerJoin(merchants, eq(merchants.id, products.merchantId))
    .where(
      and(
        inArray(products.id, unique),
        eq(products.status, "active"),
        eq(products.allowsPromotion, true),
        eq(merchants.allowsPromotion, true),
        eq(merchants.status, "active"),
      ),
    );
  const ok = new Set(found.map((p) => p.id));
  const errors = ids.flatMap((id, i) =>
    ok.has(id) ? [] : [{ path: `/productIds/${i}`, message: `${id} is not an active product open to promotion` }],
  );
  if (errors.length > 0) {
    throw new ProblemError("validation_failed", "A note may tag only active products open to promotion.", { errors });
  }
  return unique;
}
