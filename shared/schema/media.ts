// Images uploaded to the platform (POST /v1/uploads): the bytes live in R2 as sized WebP variants, this row says
// whose they are and whether anything uses them yet (docs/guides/media.md).
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns.ts";

export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    // Who uploaded it, and so who may attach it: a merchant (products, SKUs), a creator or a shopper (their notes).
    ownerType: text("owner_type", { enum: ["merchant", "creator", "shopper"] }).notNull(),
    ownerId: text("owner_id").notNull(),
    // What the bytes were (sniffed, never the client's word) and the original's size in pixels and bytes.
    sourceType: text("source_type", { enum: ["image/jpeg", "image/png", "image/webp", "image/avif"] }).notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    sourceBytes: integer("source_bytes").notNull(),
    createdAt: timestamp("created_at"),
    // Set when a product, SKU or note first names it; an upload never attached is removed after a day.
    attachedAt: text("attached_at"),
  },
  (t) => [
    index("media_owner").on(t.ownerType, t.ownerId, t.id),
    index("media_unattached").on(t.attachedAt, t.createdAt),
  ],
);
