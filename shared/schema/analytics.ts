// Analytics: daily rollups per scope, with the buyers, customers and viewers they are counted from
// (shared/analytics.ts writes them in the batch of the change they count).
import {
  type AnySQLiteColumn,
  integer,
  primaryKey,
  type SQLiteColumnBuilderBase,
  sqliteTable,
  text,
} from "drizzle-orm/sqlite-core";
import { livemode } from "./columns.ts";

// A scope is the platform (id ''), a merchant, a creator, a live session or a note. Orders count on the UTC day
// they were paid; their later refunds and returns count on that same day (so a day's return rate is a share of
// that day's orders). Counts have no currency; money is kept per currency and never added across currencies.
// Every figure is per mode (livemode, as its orders'); views, of notes and sessions that have no mode, count in both.
// Each table of figures per scope leads its columns and its primary key with the scope and mode; `key` names the rest
// of its primary key.
const perScope = <TName extends string, TColumns extends Record<string, SQLiteColumnBuilderBase>>(
  name: TName,
  columns: TColumns,
  key: (keyof TColumns & string)[],
) =>
  sqliteTable(
    name,
    {
      scopeKind: text("scope_kind", { enum: ["platform", "merchant", "creator", "live_session", "note"] }).notNull(),
      scopeId: text("scope_id").notNull(),
      ...livemode(),
      ...columns,
    },
    (t) => [primaryKey({ columns: [t.scopeKind, t.scopeId, t.livemode, ...key.map((k) => t[k] as AnySQLiteColumn)] })],
  );

export const analyticsDaily = perScope(
  "analytics_daily",
  {
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
  ["day"],
);

export const analyticsDailyMoney = perScope(
  "analytics_daily_money",
  {
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    orders: integer("orders").notNull().default(0),
    gmvAmount: integer("gmv_amount").notNull().default(0),
    refundedAmount: integer("refunded_amount").notNull().default(0),
  },
  ["day", "currency"],
);

// Who bought in a scope on a day (distinct buyers over a range are counted here), and whether on a repeat order.
export const analyticsBuyers = perScope(
  "analytics_buyers",
  {
    day: text("day").notNull(),
    customerId: text("customer_id").notNull(),
    repeat: integer("repeat").notNull().default(0),
  },
  ["day", "customerId"],
);

// Each buyer's paid orders in a scope so far: an order is a repeat order when this was already at least one.
export const analyticsCustomers = perScope(
  "analytics_customers",
  {
    customerId: text("customer_id").notNull(),
    orders: integer("orders").notNull().default(0),
    firstDay: text("first_day").notNull(),
  },
  ["customerId"],
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
