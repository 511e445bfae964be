// The database schema, one source for drizzle queries and for the SQL migrations drizzle-kit generates.
// Times are RFC 3339 UTC text (sortable, what the API returns); money is integer minor units beside its currency.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const timestamp = (name: string) => text(name).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

export const merchants = sqliteTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  handle: text("handle").notNull().unique(),
  status: text("status", { enum: ["active", "suspended"] })
    .notNull()
    .default("active"),
  // Creators may shelve this merchant's products in their notes and streams, earning this rate.
  allowsPromotion: integer("allows_promotion", { mode: "boolean" }).notNull().default(true),
  commissionRateBps: integer("commission_rate_bps").notNull().default(1000),
  createdAt: timestamp("created_at"),
});

export const creators = sqliteTable("creators", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  handle: text("handle").notNull().unique(),
  bio: text("bio").notNull().default(""),
  avatarUrl: text("avatar_url"),
  followerCount: integer("follower_count").notNull().default(0),
  createdAt: timestamp("created_at"),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    kind: text("kind", { enum: ["secret", "publishable"] }).notNull(),
    // What the owner sees in listings (`sk_test_4f2a…`); the key itself is only ever stored as its SHA-256.
    displayPrefix: text("display_prefix").notNull(),
    hash: text("hash").notNull().unique(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: timestamp("created_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_keys_merchant").on(t.merchantId)],
);

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    brand: text("brand"),
    category: text("category"),
    status: text("status", { enum: ["draft", "active", "archived"] })
      .notNull()
      .default("draft"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: timestamp("created_at"),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [index("products_merchant").on(t.merchantId, t.id), index("products_status").on(t.status, t.id)],
);

export const skus = sqliteTable(
  "skus",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    // Changed only together with an inventory_ledger row, so the count can always be explained.
    stock: integer("stock").notNull().default(0),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("skus_product").on(t.productId),
    check("skus_stock_nonnegative", sql`${t.stock} >= 0`),
    check("skus_price_nonnegative", sql`${t.priceAmount} >= 0`),
  ],
);

export const inventoryLedger = sqliteTable(
  "inventory_ledger",
  {
    id: text("id").primaryKey(),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    delta: integer("delta").notNull(),
    reason: text("reason").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("inventory_ledger_idempotency").on(t.skuId, t.idempotencyKey)],
);

export const notes = sqliteTable(
  "notes",
  {
    id: text("id").primaryKey(),
    creatorId: text("creator_id")
      .notNull()
      .references(() => creators.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    likeCount: integer("like_count").notNull().default(0),
    saveCount: integer("save_count").notNull().default(0),
    createdAt: timestamp("created_at"),
  },
  (t) => [index("notes_creator").on(t.creatorId, t.id)],
);

export const noteProducts = sqliteTable(
  "note_products",
  {
    noteId: text("note_id")
      .notNull()
      .references(() => notes.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.productId] }), index("note_products_product").on(t.productId)],
);

export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: text("id").primaryKey(),
    hostType: text("host_type", { enum: ["creator", "merchant"] }).notNull(),
    creatorId: text("creator_id").references(() => creators.id),
    merchantId: text("merchant_id").references(() => merchants.id),
    title: text("title").notNull(),
    coverUrl: text("cover_url"),
    status: text("status", { enum: ["scheduled", "live", "ended"] })
      .notNull()
      .default("scheduled"),
    scheduledStartAt: text("scheduled_start_at").notNull(),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("live_sessions_status").on(t.status, t.scheduledStartAt),
    check(
      "live_sessions_host",
      sql`(${t.hostType} = 'creator' AND ${t.creatorId} IS NOT NULL) OR (${t.hostType} = 'merchant' AND ${t.merchantId} IS NOT NULL)`,
    ),
  ],
);

export const liveSessionProducts = sqliteTable(
  "live_session_products",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => liveSessions.id),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.productId] })],
);

export const flashSales = sqliteTable(
  "flash_sales",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    skuId: text("sku_id")
      .notNull()
      .references(() => skus.id),
    liveSessionId: text("live_session_id").references(() => liveSessions.id),
    quantity: integer("quantity").notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    perShopperLimit: integer("per_shopper_limit").notNull().default(1),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("flash_sales_sku").on(t.skuId),
    check("flash_sales_quantity_positive", sql`${t.quantity} > 0`),
    check("flash_sales_window", sql`${t.endsAt} > ${t.startsAt}`),
  ],
);
