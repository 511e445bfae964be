// Returns of delivered order lines and the creator-commission ledger (the checkout Worker writes these).
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { affiliatePlans } from "./affiliates.ts";
import { money, orderLineUnits, orderLineUnitsKeys, requiredRef, status, timestamp, timestamps } from "./columns.ts";
import { orders } from "./orders.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";
import { refunds } from "./payments.ts";

// A shopper's request to send back units of a delivered order's lines, decided by its merchant. Approval refunds
// the lines through the order's provider (`refund_id`) and, when `restock`, puts the units back on the ledger.
export const returns = sqliteTable(
  "returns",
  {
    ...merchantOwned(),
    orderId: requiredRef("order_id", () => orders.id),
    customerId: text("customer_id").notNull(),
    ...status("requested", "approved", "refunded", "rejected"),
    reason: text("reason").notNull(),
    rejectionReason: text("rejection_reason"),
    restock: integer("restock", { mode: "boolean" }),
    refundId: text("refund_id").references(() => refunds.id),
    decidedAt: text("decided_at"),
    ...timestamps(),
  },
  (t) => [
    index("returns_order").on(t.orderId, t.id),
    merchantListIndex("returns", t),
    index("returns_customer").on(t.customerId, t.id),
    index("returns_refund").on(t.refundId),
  ],
);

export const returnLines = sqliteTable(
  "return_lines",
  { returnId: requiredRef("return_id", () => returns.id), ...orderLineUnits() },
  (t) => orderLineUnitsKeys("return_lines", t.returnId, t),
);

// The creator-commission ledger, append-only: an `earned` entry per credited order line when the order is paid
// (source 'payment'), and `reversal` entries (negative) when refunds of it succeed (source: the refund's id). A
// line's commission is the sum of its entries; nothing is ever updated in place. `affiliate_plan_id`: the plan whose
// rate the line earned at (null: the shelf's, product's or merchant's); a reversal names the same plan.
export const commissionEntries = sqliteTable(
  "commission_entries",
  {
    ...merchantOwned(),
    orderId: requiredRef("order_id", () => orders.id),
    position: integer("position").notNull(),
    creatorId: text("creator_id").notNull(),
    kind: text("kind", { enum: ["earned", "reversal"] }).notNull(),
    source: text("source").notNull(),
    ...money(),
    rateBps: integer("rate_bps").notNull(),
    affiliatePlanId: text("affiliate_plan_id").references(() => affiliatePlans.id),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    uniqueIndex("commission_entries_source").on(t.orderId, t.position, t.source),
    index("commission_entries_creator").on(t.creatorId, t.id),
    merchantListIndex("commission_entries", t),
    index("commission_entries_plan").on(t.affiliatePlanId),
    check(
      "commission_entries_sign",
      sql`(${t.kind} = 'earned' AND ${t.amount} >= 0) OR (${t.kind} = 'reversal' AND ${t.amount} < 0)`,
    ),
  ],
);
