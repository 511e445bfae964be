// Flash sales (the checkout Worker writes these): the sale, its written-behind tallies, and start reminders.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { skus } from "./catalog.ts";
import { requiredRef, saleTerms, timestamp } from "./columns.ts";
import { liveSessions } from "./live.ts";
import { merchantOwned } from "./owners.ts";

export const flashSales = sqliteTable(
  "flash_sales",
  {
    ...merchantOwned(),
    skuId: requiredRef("sku_id", () => skus.id),
    liveSessionId: text("live_session_id").references(() => liveSessions.id),
    ...saleTerms(),
    // How many FlashSaleStock objects share the stock, 1 to 64 and at most the quantity (checked by the API;
    // docs/design/flash-sales.md#shards).
    shards: integer("shards").notNull().default(1),
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

// A flash sale's units by state, as its FlashSaleStock object counts them (the sale's and each shard's).
const stockCounts = () => ({
  available: integer("available").notNull(),
  held: integer("held").notNull(),
  committed: integer("committed").notNull(),
  returned: integer("returned").notNull(),
});

// A flash sale's counts, written behind by its FlashSaleStock object (absolute values, newer version wins), so
// reports read libSQL while the object stays the single writer of the stock during the sale.
export const flashSaleTallies = sqliteTable("flash_sale_tallies", {
  flashSaleId: requiredRef("flash_sale_id", () => flashSales.id).primaryKey(),
  ...stockCounts(),
  version: integer("version").notNull(),
  updatedAt: timestamp("updated_at"),
});

// Each shard's counts, written behind by that shard's object; flash_sale_tallies is their sum, refreshed in the same
// batch. moved_in / moved_out count units passed between shards (moved_out − moved_in summed: units in transit).
export const flashSaleShardTallies = sqliteTable(
  "flash_sale_shard_tallies",
  {
    flashSaleId: requiredRef("flash_sale_id", () => flashSales.id),
    shard: integer("shard").notNull(),
    ...stockCounts(),
    movedIn: integer("moved_in").notNull(),
    movedOut: integer("moved_out").notNull(),
    ended: integer("ended").notNull().default(0),
    version: integer("version").notNull(),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [primaryKey({ columns: [t.flashSaleId, t.shard] })],
);

// People who asked to be told when a flash sale starts; its FlashSaleStock object notifies them at the start.
export const flashSaleReminders = sqliteTable(
  "flash_sale_reminders",
  {
    flashSaleId: requiredRef("flash_sale_id", () => flashSales.id),
    personId: text("person_id").notNull(),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.flashSaleId, t.personId] })],
);
