// Notes (posts by creators and shoppers) with their shelved products, likes, saves and comments, and who
// follows whom.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { products } from "./catalog.ts";
import { requiredRef, searchPinyin, status, timestamp, timestamps, version } from "./columns.ts";
import { creators, shoppers } from "./identity-and-keys.ts";

export const notes = sqliteTable(
  "notes",
  {
    id: text("id").primaryKey(),
    // Written by a creator or a shopper: exactly one of the two.
    creatorId: text("creator_id").references(() => creators.id),
    shopperId: text("shopper_id").references(() => shoppers.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    topics: text("topics", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    ...status("published", "deleted"),
    likeCount: integer("like_count").notNull().default(0),
    saveCount: integer("save_count").notNull().default(0),
    commentCount: integer("comment_count").notNull().default(0),
    ...searchPinyin(),
    ...version(),
    ...timestamps(),
  },
  (t) => [
    index("notes_creator").on(t.creatorId, t.id),
    index("notes_shopper").on(t.shopperId, t.id),
    index("notes_status").on(t.status, t.id),
    check("notes_author", sql`(${t.creatorId} IS NULL) != (${t.shopperId} IS NULL)`),
  ],
);

export const noteProducts = sqliteTable(
  "note_products",
  {
    noteId: requiredRef("note_id", () => notes.id),
    productId: requiredRef("product_id", () => products.id),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.productId] }), index("note_products_product").on(t.productId)],
);

// Likes and saves (收藏): at most one per person and note, so a repeated or concurrent like counts once.
const onePerPersonAndNote = <TName extends string>(name: TName) =>
  sqliteTable(
    name,
    {
      noteId: requiredRef("note_id", () => notes.id),
      actorId: text("actor_id").notNull(),
      createdAt: timestamp("created_at"),
    },
    (t) => [primaryKey({ columns: [t.noteId, t.actorId] }), index(`${name}_actor`).on(t.actorId)],
  );

export const noteLikes = onePerPersonAndNote("note_likes");
export const noteSaves = onePerPersonAndNote("note_saves");

export const noteComments = sqliteTable(
  "note_comments",
  {
    id: text("id").primaryKey(),
    noteId: requiredRef("note_id", () => notes.id),
    // A shopper or creator id (prefixed).
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at"),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("note_comments_note").on(t.noteId, t.id)],
);

// Shoppers and creators follow creators and merchants; ids are prefixed, so one table serves every pair.
export const follows = sqliteTable(
  "follows",
  {
    followerId: text("follower_id").notNull(),
    followeeId: text("followee_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.followeeId] }), index("follows_followee").on(t.followeeId)],
);
