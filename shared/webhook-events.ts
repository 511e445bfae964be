// Merchant webhook events, recorded by an outbox: the statements here go into the writer's OWN batch or transaction,
// so an event commits with the change it tells of, or not at all. One INSERT … SELECT records the message (the exact
// body that will be signed, `{ type, timestamp, data }` plus `sequence` on order events) only if its source row says
// the change happened and some enabled endpoint wants it; a second one fans it out to every such endpoint as a
// pending delivery. The checkout Worker's WebhookDispatcher objects deliver them (workers/checkout/src/webhooks/).
// Each message is of one mode (test or live; `livemode` in its body, as Stripe's) and goes only to endpoints of that
// mode: an order's events are of its order's mode; events about things without a mode (stock, flash sales, live
// sessions) are recorded once per mode.
import type { InStatement, InValue, ResultSet } from "@libsql/client/web";
import { type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { newId } from "./ids.ts";

export const webhookEventTypes = [
  "order.created",
  "order.paid",
  "order.deposit_paid",
  "order.balance_due",
  "order.deposit_forfeited",
  "order.cancelled",
  "order.fulfilled",
  "order.delivered",
  "order.refunded",
  "return.requested",
  "return.approved",
  "return.rejected",
  "inventory.low",
  "flash_sale.sold_out",
  "flash_sale.ended",
  "live_session.started",
  "live_session.ended",
  "commission.payable",
  "affiliate_plan.accepted",
  "sample_request.created",
  "collaboration.application.created",
  "collaboration.submission.created",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export interface WebhookEvent {
  type: WebhookEventType;
  /** A query with the columns `data` (JSON text) and `sequence` (integer or NULL): one row, or none for no event. */
  source: SQL;
  /** A query with one column, `merchant_id`: the merchants whose endpoints are told. */
  merchants: SQL;
  /** Events that happen once per subject (a sale selling out) name it: recording it again inserts nothing. */
  dedupeKey?: string;
  /** A scalar query, 1 (live) or 0 (test): the mode of what it tells of. Absent: a subject without a mode, told in both. */
  livemode?: SQL;
  /** A further condition on each endpoint `e` (inventory.low: its own threshold was crossed). */
  endpointFilter?: SQL;
  at?: Date;
}

const fannedOutColumn = "webhook_fanned_out_to";

/** The endpoints a committed batch's webhook events were fanned out to (whose dispatchers to wake), from its results. */
export function fannedOutTo(results: readonly ResultSet[]): string[] {
  const ids = results.flatMap((result) =>
    result.columns.includes(fannedOutColumn) ? result.rows.map((row) => String(row[fannedOutColumn])) : [],
  );
  return [...new Set(ids)];
}

/**
 * The statements that record the event and fan it out, in this order (the message id is its `webhook-id`); for an
 * event without a mode, those of its test message, then those of its live one (its dedupe key prefixed `live:`).
 */
export function webhookEvent(event: WebhookEvent): SQL[] {
  if (event.livemode) return modeMessage(event, event.livemode, event.dedupeKey);
  return [
    ...modeMessage(event, sql`0`, event.dedupeKey),
    ...modeMessage(event, sql`1`, event.dedupeKey === undefined ? undefined : `live:${event.dedupeKey}`),
  ];
}

function modeMessage(event: WebhookEvent, livemode: SQL, dedupeKey: string | undefined): SQL[] {
  const at = event.at ?? new Date();
  const messageId = newId("msg", at.getTime());
  const timestamp = at.toISOString();
  const subscribed = sql`e.merchant_id IN (${event.merchants}) AND e.disabled_at IS NULL
    AND e.livemode = (${livemode})
    AND EXISTS (SELECT 1 FROM json_each(e.event_types) WHERE value = ${event.type})
    ${event.endpointFilter ? sql`AND (${event.endpointFilter})` : sql``}`;
  const payload = sql`json_patch(json_object('type', ${event.type},
      'livemode', json(CASE WHEN (${livemode}) THEN 'true' ELSE 'false' END),
      'timestamp', ${timestamp}, 'data', json(s.data)),
    CASE WHEN s.sequence IS NULL THEN '{}' ELSE json_object('sequence', s.sequence) END)`;
  return [
    // (`WHERE true` keeps SQLite from reading the upsert's ON CONFLICT as a join constraint.)
    sql`INSERT INTO webhook_messages (id, type, livemode, dedupe_key, sequence, payload, created_at)
          SELECT ${messageId}, ${event.type}, (${livemode}), ${dedupeKey ?? null}, s.sequence, ${payload}, ${timestamp}
          FROM (${event.source}) s
          WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE ${subscribed}) AND true LIMIT 1
          ON CONFLICT DO NOTHING`,
    sql`INSERT INTO webhook_deliveries (message_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
          SELECT m.id, e.id, 'pending', 0, ${timestamp}, ${timestamp}, ${timestamp}
          FROM webhook_messages m JOIN webhook_endpoints e ON ${subscribed} AND e.livemode = m.livemode
          WHERE m.id = ${messageId}
          RETURNING endpoint_id AS ${sql.identifier(fannedOutColumn)}`,
  ];
}

/** The mode of an order's events: its order's. */
export const orderLivemode = (orderId: string) => sql`SELECT livemode FROM orders WHERE id = ${orderId}`;

/** The order as its events carry it (the API's order, less the payment), from `orders o`. */
const orderData = sql`json_object(
  'id', o.id, 'object', 'order', 'number', o.number, 'status', o.status, 'merchantId', o.merchant_id,
  'customerId', o.owner_id, 'currency', o.currency,
  'subtotal', json_object('amount', o.subtotal_amount, 'currency', o.currency),
  'discounts', json_object('amount', o.discount_amount, 'currency', o.currency),
  'shipping', json_object('amount', o.shipping_amount, 'currency', o.currency),
  'tax', json_object('amount', o.tax_amount, 'currency', o.currency),
  'total', json_object('amount', o.total_amount, 'currency', o.currency),
  'lines', (SELECT json_group_array(json_object('position', l.position, 'skuId', l.sku_id, 'productId', l.product_id,
              'title', l.title, 'quantity', l.quantity,
              'unitPrice', json_object('amount', l.unit_amount, 'currency', o.currency)))
            FROM (SELECT * FROM order_lines WHERE order_id = o.id ORDER BY position) l),
  'cancelReason', o.cancel_reason, 'createdAt', o.created_at, 'paidAt', o.paid_at, 'fulfilledAt', o.fulfilled_at,
  'deliveredAt', o.delivered_at, 'cancelledAt', o.cancelled_at, 'updatedAt', o.updated_at)`;

/**
 * An order event, recorded if `when` (a condition on `orders o`, e.g. that this batch's update happened) holds
 * after the change. Its `sequence` is the order's version then, so a receiver can order what arrives out of order.
 */
export function orderEvent(type: `order.${string}` & WebhookEventType, orderId: string, when: SQL, at?: Date) {
  return webhookEvent({
    type,
    at,
    source: sql`SELECT ${orderData} AS data, o.version AS sequence FROM orders o WHERE o.id = ${orderId} AND (${when})`,
    merchants: sql`SELECT merchant_id FROM orders WHERE id = ${orderId}`,
    livemode: orderLivemode(orderId),
  });
}

/**
 * inventory.low for a SKU whose stock just moved by `delta` (negative: taken) if `when` holds (the move happened),
 * to each endpoint of its merchant whose threshold the move crossed (stock before >= threshold > stock after).
 * Place it after the stock update.
 */
export function inventoryLowEvent(skuId: string, delta: number, when: SQL, at?: Date) {
  return webhookEvent({
    type: "inventory.low",
    at,
    source: sql`SELECT json_object('skuId', s.id, 'productId', s.product_id, 'merchantId', p.merchant_id,
        'stock', s.stock, 'previousStock', s.stock - ${delta}) AS data, NULL AS sequence
      FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = ${skuId} AND ${delta} < 0 AND (${when})`,
    merchants: sql`SELECT p.merchant_id FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = ${skuId}`,
    endpointFilter: sql`(SELECT stock FROM skus WHERE id = ${skuId}) < e.inventory_low_threshold
      AND (SELECT stock FROM skus WHERE id = ${skuId}) - ${delta} >= e.inventory_low_threshold`,
  });
}

/**
 * live_session.started / live_session.ended, once per session, if the batch has moved it there. Told: its merchant
 * host, and the merchants whose products are on its shelf (for a creator's session, those are the only ones).
 */
export function liveSessionEvent(type: "live_session.started" | "live_session.ended", sessionId: string) {
  const status = type === "live_session.started" ? "live" : "ended";
  return webhookEvent({
    type,
    dedupeKey: `${type}:${sessionId}`,
    source: sql`SELECT json_object('id', id, 'object', 'live_session', 'title', title, 'status', status,
        'hostType', host_type, 'merchantId', merchant_id, 'creatorId', creator_id,
        'scheduledStartAt', scheduled_start_at, 'startedAt', started_at, 'endedAt', ended_at) AS data, NULL AS sequence
      FROM live_sessions WHERE id = ${sessionId} AND status = ${status}`,
    merchants: sql`SELECT merchant_id FROM live_sessions WHERE id = ${sessionId} AND merchant_id IS NOT NULL
      UNION SELECT p.merchant_id FROM live_session_products lp JOIN products p ON p.id = lp.product_id
      WHERE lp.session_id = ${sessionId}`,
  });
}

/** A source for data known before the batch runs (no sequence). */
export const jsonSource = (data: unknown) => sql`SELECT ${JSON.stringify(data)} AS data, NULL AS sequence`;

const dialect = new SQLiteSyncDialect();

/** The statements for a raw libSQL batch (`client.batch`), where the caller does not go through drizzle. */
export function rawStatements(statements: readonly SQL[]): InStatement[] {
  return statements.map((statement) => {
    const query = dialect.sqlToQuery(statement);
    return { sql: query.sql, args: query.params as InValue[] };
  });
}
