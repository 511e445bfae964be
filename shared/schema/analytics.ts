// Analytics: daily rollups per scope, with the buyers, customers and viewers they are counted from
// (shared/analytics.ts writes them in the batch of the change they count).
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { livemode } from "./columns.ts";

// A scope is the platform (id ''), a merchant, a creator, a live session or a note. Orders count on the UTC day
// they were paid; their later refunds and returns count on that same day (so a day's return rate is a share of
// that day's orders). Counts have no currency; money is kept per currency and never added across currencies.
// Every figure is per mode (livemode, as its orders'); views, of notes and sessions that have no mode, count in both.
const scope = () => ({
  scopeKind: text("scope_kind", { enum: ["platform", "merchant", "creator", "live_session", "note"] }).notNull(),
  scopeId: text("scope_id").notNull(),
  ...livemode(),
});

export const analyticsDaily = sqliteTable(
  "analytics_daily",
  {
    ...scope(),
    day: text("day").notNull(),
    orders: integer("orders").notNull().default(0),
    // Orders with a line attributed to a note or a live session (the numerator of the conversion rate).
    attributedOrders: integer("attributed_orders").notNull().default(0),
    // Distinct buyers of the day, and those of them who had bought in this scope before (on an earlier order).
    buyers: integer("buyers").notNull().default(0),
    repeatBuyers: integer("repeat_buyers").notNull().default(0),
    // The day's orders with an approved return (counted once per order).
    returnedOrders: integer("returned_orders").notNull().default(0),
    // Distinct (viewer, note) and (viewer, live session) pairs of the day.
    noteViews: integer("note_views").notNull().default(0),
    streamViews: integer("stream_views").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.livemode, t.day] })],
);

export const analyticsDailyMoney = sqliteTable(
  "analytics_daily_money",
  {
    ...scope(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    orders: integer("orders").notNull().default(0),
    gmvAmount: integer("gmv_amount").notNull().default(0),
    refundedAmount: integer("refunded_amount").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.livemode, t.day, t.currency] })],
);

// Who bought in a scope on a day (distinct buyers over a range are counted here), and whether on a repeat order.
export const analyticsBuyers = sqliteTable(
  "analytics_buyers",
  {
    ...scope(),
    day: text("day").notNull(),
    customerId: text("customer_id").notNull(),
    repeat: integer("repeat").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.livemode, t.day, t.customerId] })],
);

// Each buyer's paid orders in a scope so far: an order is a repeat order when this was already at least one.
export const analyticsCustomers = sqliteTable(
  "analytics_customers",
  {
    ...scope(),
    customerId: text("customer_id").notNull(),
    orders: integer("orders").notNull().default(0),
    firstDay: text("first_day").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.livemode, t.customerId] })],
);

// Who viewed a note or a live session (its id) on a day: a view counts once per viewer, subject and day.
export const analyticsViewers = sqliteTable(
  "analytics_viewers",
  {
    subjectId: text("subject_id").notNull(),
    day: text("day").notNull(),
    viewerId: text("viewer_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectId, t.day, t.viewerId] })],
);
