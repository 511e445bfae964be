// A merchant's catalogue: products, their SKUs (price and stock), and the inventory ledger that explains each
// stock change.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { price, requiredRef, searchPinyin, status, timestamp, timestamps, version } from "./columns.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";

export const products = sqliteTable(
  "products",
  {
    ...merchantOwned(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    brand: text("brand"),
    category: text("category"),
    ...status("draft", "active", "archived"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull(),
    // Whether creators may shelve it in notes and streams, and at what rate (null: the merchant's default).
    allowsPromotion: integer("allows_promotion", { mode: "boolean" }).notNull().default(true),
    commissionRateBps: integer("commission_rate_bps"),
    ...searchPinyin(),
    // Bumped on every change to the product or its SKUs; the ETag is derived from it.
    ...version(),
    ...timestamps(),
  },
  (t) => [
    merchantListIndex("products", t),
    index("products_status").on(t.status, t.id),
    index("products_category").on(t.category, t.id),
    index("products_brand").on(t.brand, t.id),
  ],
);

export const skus = sqliteTable(
  "skus",
  {
    id: text("id").primaryKey(),
    productId: requiredRef("product_id", () => products.id),
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull(),
    ...price(),
    // The variant's own picture (a colour's swatch, say): an image URL, an upload's once named (shared/media.ts).
    image: text("image"),
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
    skuId: requiredRef("sku_id", () => skus.id),
    delta: integer("delta").notNull(),
    reason: text("reason").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [uniqueIndex("inventory_ledger_idempotency").on(t.skuId, t.idempotencyKey)],
);
