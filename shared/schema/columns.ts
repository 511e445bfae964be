// Column builders the tables share, so that a column meaning the same thing is declared the same way everywhere.
// Times are RFC 3339 UTC text (sortable, what the API returns); money is integer minor units beside its currency.
import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, check, index, integer, primaryKey, text } from "drizzle-orm/sqlite-core";

/** A time the database fills in when the row is written: now, in the API's format. */
export const timestamp = (name: string) => text(name).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** When the row was written and last changed. */
export const timestamps = () => ({ createdAt: timestamp("created_at"), updatedAt: timestamp("updated_at") });

/** A row's place in its life cycle: one of `states`, never null, and a new row starts in the first. */
export const status = <const TStates extends readonly [string, ...string[]]>(...states: TStates) => ({
  status: text("status", { enum: states }).notNull().default(states[0]),
});

/** The row's revision: 1 when written, one more on every change (ETags and compare-and-set updates read it). */
export const version = () => ({ version: integer("version").notNull().default(1) });

/** A reference that every row has: the id of a row of another table (a foreign key, never null). */
export const requiredRef = <TName extends string>(name: TName, target: () => AnySQLiteColumn) =>
  text(name).notNull().references(target);

/**
 * The mode a row belongs to, as Stripe keeps test and live apart: true for live, false for test (docs/guides/test-and-live-modes.md).
 * Rows from before modes are test: nothing unpaid-for ever counts as live money.
 */
export const livemode = () => ({ livemode: integer("livemode", { mode: "boolean" }).notNull().default(false) });

/** An amount of money in minor units and its currency. */
export const money = () => ({ amount: integer("amount").notNull(), currency: text("currency").notNull() });

/** A unit price in minor units and its currency. */
export const price = () => ({ priceAmount: integer("price_amount").notNull(), currency: text("currency").notNull() });

/** The terms of a limited sale of a SKU (flash sale, pre-sale): its units, their price, at most how many a shopper. */
export const saleTerms = () => ({
  quantity: integer("quantity").notNull(),
  ...price(),
  perShopperLimit: integer("per_shopper_limit").notNull().default(1),
});

/** The title's pinyin for the search index (shared/pinyin.ts), written with the title; null until computed. */
export const searchPinyin = () => ({ searchPinyin: text("search_pinyin") });

/** Units of an order line (named by its order and position, as order_lines is keyed) that a refund or a return takes back. */
export const orderLineUnits = () => ({
  orderId: text("order_id").notNull(),
  position: integer("position").notNull(),
  quantity: integer("quantity").notNull(),
});

/** The keys of a table of order-line units: one row per line of its parent, found by order line, never zero units. */
export const orderLineUnitsKeys = (
  name: string,
  parentId: AnySQLiteColumn,
  t: { orderId: AnySQLiteColumn; position: AnySQLiteColumn; quantity: AnySQLiteColumn },
) => [
  primaryKey({ columns: [parentId, t.position] }),
  index(`${name}_order`).on(t.orderId, t.position),
  check(`${name}_quantity_positive`, sql`${t.quantity} > 0`),
];
