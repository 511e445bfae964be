// Carts and orders (the checkout Worker writes these): cart lines, order numbers, orders and their lines.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { products, skus } from "./catalog.ts";
import { livemode, requiredRef, status, timestamp, timestamps, version } from "./columns.ts";
import { flashSales } from "./flash-sales.ts";
import { merchants } from "./identity-and-keys.ts";
import { liveSessions } from "./live.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";
import { notes } from "./social.ts";

// A guest's cart belongs to its storefront (`guest:<keyId>`; the unguessable id is the capability), a person's
// to them (`shp_…` or `cre_…`). One currency and one merchant per cart.
export const carts = sqliteTable(
  "carts",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    ...livemode(),
    merchantId: text("merchant_id").references(() => merchants.id),
    currency: text("currency"),
    // Coupons the shopper applied (JSON array of ids), checked again at checkout.
    couponIds: text("coupon_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
    ...status("open", "checked_out"),
    ...version(),
    ...timestamps(),
  },
  (t) => [index("carts_owner").on(t.ownerId, t.id)],
);

// A line is a SKU at the catalogue price, or a flash-sale hold at the sale price; its id is the SKU's or the hold's.
export const cartLines = sqliteTable(
  "cart_lines",
  {
    cartId: requiredRef("cart_id", () => carts.id),
    lineId: text("line_id").notNull(),
    skuId: requiredRef("sku_id", () => skus.id),
    quantity: integer("quantity").notNull(),
    holdId: text("hold_id"),
    flashSaleId: text("flash_sale_id").references(() => flashSales.id),
    attribution: text("attribution"),
    createdAt: timestamp("created_at"),
  },
  (t) => [primaryKey({ columns: [t.cartId, t.lineId] }), check("cart_lines_quantity", sql`${t.quantity} > 0`)],
);

// Human-friendly order numbers: ZC-<yyyymmdd>-<serial of the day>.
export const orderNumberCounters = sqliteTable("order_number_counters", {
  day: text("day").primaryKey(),
  last: integer("last").notNull(),
});

export const orders = sqliteTable(
  "orders",
  {
    ...merchantOwned(),
    number: text("number").notNull().unique(),
    // One order per cart: a second checkout of the same cart cannot create another.
    cartId: requiredRef("cart_id", () => carts.id).unique(),
    ownerId: text("owner_id").notNull(),
    ...livemode(),
    ...status(
      "pending_payment",
      "paid",
      "fulfilled",
      "delivered",
      "cancelled",
      "partially_refunded",
      "refunded",
      // Pre-sale orders (presales, in promotions.ts): deposit, then balance; an unpaid balance forfeits the deposit.
      "pending_deposit",
      "deposit_paid",
      "pending_balance",
      "deposit_forfeited",
    ),
    currency: text("currency").notNull(),
    subtotalAmount: integer("subtotal_amount").notNull(),
    discountAmount: integer("discount_amount").notNull(),
    shippingAmount: integer("shipping_amount").notNull(),
    taxAmount: integer("tax_amount").notNull(),
    totalAmount: integer("total_amount").notNull(),
    paymentDueAt: text("payment_due_at").notNull(),
    cancelReason: text("cancel_reason"),
    ...version(),
    ...timestamps(),
    paidAt: text("paid_at"),
    fulfilledAt: text("fulfilled_at"),
    deliveredAt: text("delivered_at"),
    cancelledAt: text("cancelled_at"),
  },
  (t) => [
    index("orders_owner").on(t.ownerId, t.id),
    merchantListIndex("orders", t),
    index("orders_due").on(t.status, t.paymentDueAt),
    check("orders_total", sql`${t.totalAmount} >= 0`),
  ],
);

export const orderLines = sqliteTable(
  "order_lines",
  {
    orderId: requiredRef("order_id", () => orders.id),
    position: integer("position").notNull(),
    skuId: requiredRef("sku_id", () => skus.id),
    productId: requiredRef("product_id", () => products.id),
    title: text("title").notNull(),
    quantity: integer("quantity").notNull(),
    unitAmount: integer("unit_amount").notNull(),
    // The line's share of the order's discounts (order_discounts): what was paid for it is unit × quantity − this.
    discountAmount: integer("discount_amount").notNull().default(0),
    holdId: text("hold_id"),
    flashSaleId: text("flash_sale_id").references(() => flashSales.id),
    attribution: text("attribution"),
    // The attribution as checkout verified it (shared/attribution.ts resolveAttribution); null when absent or not
    // credible. Live sessions sum their GMV and creators earn commission from these.
    noteId: text("note_id").references(() => notes.id),
    liveSessionId: text("live_session_id").references(() => liveSessions.id),
    creatorId: text("creator_id"),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.position] }),
    index("order_lines_hold").on(t.holdId),
    index("order_lines_live_session").on(t.liveSessionId),
    index("order_lines_creator").on(t.creatorId),
  ],
);
