// Money in and back out (the checkout Worker writes these): payments and provider events, refunds, the order
// lines they give money back for, and the payments each refund draws on.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import {
  livemode,
  money,
  orderLineUnits,
  orderLineUnitsKeys,
  requiredRef,
  status,
  timestamp,
  timestamps,
} from "./columns.ts";
import { orders } from "./orders.ts";

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: requiredRef("order_id", () => orders.id),
    // Its order's mode: a provider event of the other mode (the sandbox's are test) never applies to it.
    ...livemode(),
    provider: text("provider").notNull(),
    providerReference: text("provider_reference"),
    // What the storefront confirms the payment with (Stripe.js's PaymentIntent client secret); null for sandbox.
    clientSecret: text("client_secret"),
    ...status("requires_payment", "processing", "succeeded", "failed"),
    ...money(),
    // The newest provider event applied, so an older one arriving late changes nothing.
    lastEventSequence: integer("last_event_sequence").notNull().default(0),
    ...timestamps(),
  },
  (t) => [index("payments_order").on(t.orderId)],
);

// Every provider event received, once per (provider, event id): duplicates are recorded and ignored.
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    paymentId: text("payment_id").notNull(),
    type: text("type").notNull(),
    sequence: integer("sequence").notNull(),
    payload: text("payload").notNull(),
    receivedAt: timestamp("received_at"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] }), index("payment_events_payment").on(t.paymentId)],
);

// What a refund (and each of its parts) gives back and how that stands: pending until the provider settles it.
const refundOutcome = () => ({
  ...status("pending", "succeeded", "failed"),
  ...money(),
});

// A refund takes its amount out of what the payment still holds when it is written (pending), in one conditional
// INSERT, so concurrent refunds never add up to more than was paid; a failed refund gives its amount back.
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orderId: requiredRef("order_id", () => orders.id),
    paymentId: requiredRef("payment_id", () => payments.id),
    provider: text("provider").notNull(),
    providerReference: text("provider_reference"),
    ...refundOutcome(),
    reason: text("reason"),
    failureReason: text("failure_reason"),
    ...timestamps(),
  },
  (t) => [
    index("refunds_order").on(t.orderId, t.id),
    index("refunds_payment").on(t.paymentId, t.status),
    check("refunds_amount_positive", sql`${t.amount} > 0`),
  ],
);

// The order lines a refund gives money back for (returns and commission reversals build on these).
export const refundLines = sqliteTable(
  "refund_lines",
  {
    refundId: requiredRef("refund_id", () => refunds.id),
    ...orderLineUnits(),
    amount: integer("amount").notNull(),
  },
  (t) => orderLineUnitsKeys("refund_lines", t.refundId, t),
);

// A refund's parts, one per payment it draws on (a pre-sale order's balance and deposit; an ordinary order's one
// payment): what may still be refunded of a payment is its amount less its parts not failed. Each part is one
// provider refund, settled by its own provider refund id; `refunds` stays the merchant-facing row.
export const refundPayments = sqliteTable(
  "refund_payments",
  {
    refundId: requiredRef("refund_id", () => refunds.id),
    paymentId: requiredRef("payment_id", () => payments.id),
    orderId: text("order_id").notNull(),
    // The order the parts are sent to the provider in (0 first: the most recent payment).
    seq: integer("seq").notNull(),
    provider: text("provider").notNull(),
    providerRefundId: text("provider_refund_id"),
    ...refundOutcome(),
    failureReason: text("failure_reason"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.refundId, t.paymentId] }),
    index("refund_payments_payment").on(t.paymentId, t.status),
    index("refund_payments_order").on(t.orderId, t.status),
    index("refund_payments_provider_refund").on(t.providerRefundId),
    check("refund_payments_amount_positive", sql`${t.amount} > 0`),
  ],
);
