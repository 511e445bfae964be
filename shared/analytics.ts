// The business figures' daily rollups (tables analytics_* in schema.ts), written by statements that join the batch
// of the change they count (a payment, a refund settling, a return approved, a view), each guarded by the condition
// that this batch made the change, so a figure moves exactly when its change commits and never counts twice. Each
// change counts in every scope it belongs to: platform, merchant, and the attributed note, session and creator.
// Figures are per mode (test or live: the order's `livemode`); a view, of a note or session without a mode, counts in
// both.
// Design: docs/design/analytics.md
import type { InStatement } from "@libsql/client/web";
import type { Database } from "./db.ts";

export const scopeKinds = ["platform", "merchant", "creator", "live_session", "note"] as const;
export type ScopeKind = (typeof scopeKinds)[number];

/** A UTC day `YYYY-MM-DD` of an RFC 3339 time. */
export function dayOf(at: string): string {
  return at.slice(0, 10);
}

/**
 * SQL: `scopes(kind, id, amount, attributed)` of the order in CTE `o` (columns merchant_id, whole), over its lines in
 * CTE `ls` (columns creator_id, live_session_id, note_id, amount): the platform and the merchant with the whole
 * amount, each attributed note, session and creator with the sum of its lines' amounts.
 */
const scopesOf = (o: string, ls: string) => `
  SELECT 'platform' AS kind, '' AS id, ${o}.whole AS amount FROM ${o}
  UNION ALL SELECT 'merchant', ${o}.merchant_id, ${o}.whole FROM ${o}
  UNION ALL SELECT 'creator', creator_id, sum(amount) FROM ${ls} WHERE creator_id IS NOT NULL GROUP BY creator_id
  UNION ALL SELECT 'live_session', live_session_id, sum(amount) FROM ${ls}
    WHERE live_session_id IS NOT NULL GROUP BY live_session_id
  UNION ALL SELECT 'note', note_id, sum(amount) FROM ${ls} WHERE note_id IS NOT NULL GROUP BY note_id`;

/** SQL: the buyer an order counts for: its owner, except that each guest order is a buyer of its own. */
const customerOf = (o: string) => `CASE WHEN ${o}.owner_id LIKE 'guest:%' THEN ${o}.id ELSE ${o}.owner_id END`;

/** The order just paid by this batch (status paid, paid_at = :at), its scopes, and whether each buyer is back. */
const paidScopes = `WITH
  o AS (SELECT id, merchant_id, livemode, currency, total_amount AS whole, ${customerOf("orders")} AS customer,
               substr(paid_at, 1, 10) AS day,
               EXISTS (SELECT 1 FROM order_lines WHERE order_id = orders.id
                       AND (note_id IS NOT NULL OR live_session_id IS NOT NULL)) AS attributed
        FROM orders WHERE id = :order AND status = 'paid' AND paid_at = :at),
  ls AS (SELECT creator_id, live_session_id, note_id, unit_amount * quantity - discount_amount AS amount
         FROM order_lines WHERE order_id = :order AND EXISTS (SELECT 1 FROM o)),
  s AS (${scopesOf("o", "ls")}),
  x AS (SELECT s.kind, s.id, o.livemode, s.amount, o.day, o.currency, o.customer,
               CASE WHEN s.kind IN ('platform', 'merchant') THEN o.attributed ELSE 1 END AS attributed,
               EXISTS (SELECT 1 FROM analytics_customers c WHERE c.scope_kind = s.kind AND c.scope_id = s.id
                       AND c.livemode = o.livemode AND c.customer_id = o.customer AND c.orders > 0) AS back
        FROM s, o)`;

/** Statements counting order :order as paid, if this batch paid it at `at` (`orders.paid_at = at`). */
export function orderPaid(orderId: string, at: string): InStatement[] {
  const args = { order: orderId, at };
  return [
    {
      sql: `${paidScopes}
            INSERT INTO analytics_daily_money (scope_kind, scope_id, livemode, day, currency, orders, gmv_amount)
            SELECT kind, id, livemode, day, currency, 1, amount FROM x WHERE true
            ON CONFLICT DO UPDATE SET orders = orders + 1, gmv_amount = gmv_amount + excluded.gmv_amount`,
      args,
    },
    {
      // Before the buyer's rows below are written: a buyer new to the day, and one back for the first time today.
      sql: `${paidScopes}
            INSERT INTO analytics_daily (scope_kind, scope_id, livemode, day, orders, attributed_orders, buyers, repeat_buyers)
            SELECT kind, id, livemode, day, 1, attributed,
                   NOT EXISTS (SELECT 1 FROM analytics_buyers b WHERE b.scope_kind = x.kind AND b.scope_id = x.id
                               AND b.livemode = x.livemode AND b.day = x.day AND b.customer_id = x.customer),
                   back AND NOT EXISTS (SELECT 1 FROM analytics_buyers b WHERE b.scope_kind = x.kind
                               AND b.scope_id = x.id AND b.livemode = x.livemode AND b.day = x.day
                               AND b.customer_id = x.customer AND b.repeat = 1)
            FROM x WHERE true
            ON CONFLICT DO UPDATE SET orders = orders + 1,
              attributed_orders = attributed_orders + excluded.attributed_orders,
              buyers = buyers + excluded.buyers, repeat_buyers = repeat_buyers + excluded.repeat_buyers`,
      args,
    },
    {
      sql: `${paidScopes}
            INSERT INTO analytics_buyers (scope_kind, scope_id, livemode, day, customer_id, repeat)
            SELECT kind, id, livemode, day, customer, back FROM x WHERE true
            ON CONFLICT DO UPDATE SET repeat = max(repeat, excluded.repeat)`,
      args,
    },
    {
      sql: `${paidScopes}
            INSERT INTO analytics_customers (scope_kind, scope_id, livemode, customer_id, orders, first_day)
            SELECT kind, id, livemode, customer, 1, day FROM x WHERE true
            ON CONFLICT DO UPDATE SET orders = orders + 1`,
      args,
    },
  ];
}

/**
 * The statement adding refund :refund to the refunded amount of its order's paid day, if this batch settled it at
 * `at`. Merchant and platform: what it gave back (its parts that succeeded; all of it when it succeeded). A note,
 * session or creator: what it gave back for their attributed lines, as the commission reversals spread it (a refund
 * naming lines, its amount over them by their refunded value; one naming none, over every line by its share of the
 * order's payments), rounded down per line.
 */
export function refundSucceeded(refundId: string, at: string): InStatement {
  return {
    sql: `WITH
            -- What it gave back: its parts that succeeded (a failed refund may have given some).
            g AS (SELECT r.id, r.order_id,
                         (SELECT coalesce(sum(rp.amount), 0) FROM refund_payments rp
                          WHERE rp.refund_id = r.id AND rp.status = 'succeeded') AS amount,
                         (SELECT sum(amount) FROM refund_lines WHERE refund_id = r.id) AS named
                  FROM refunds r
                  WHERE r.id = :refund AND r.status IN ('succeeded', 'failed') AND r.updated_at = :at),
            r AS (SELECT * FROM g WHERE amount > 0),
            o AS (SELECT o.merchant_id, o.livemode, o.currency, r.amount AS whole, substr(o.paid_at, 1, 10) AS day
                  FROM orders o JOIN r ON r.order_id = o.id WHERE o.paid_at IS NOT NULL),
            ls AS (SELECT l.creator_id, l.live_session_id, l.note_id,
                          CASE WHEN r.named IS NOT NULL
                            THEN coalesce((SELECT fl.amount FROM refund_lines fl
                                           WHERE fl.refund_id = r.id AND fl.position = l.position), 0)
                                 * r.amount / r.named
                            ELSE (l.unit_amount * l.quantity - l.discount_amount) * r.amount
                                 / (SELECT sum(amount) FROM payments WHERE order_id = r.order_id AND status = 'succeeded')
                          END AS amount
                   FROM order_lines l JOIN r ON l.order_id = r.order_id WHERE EXISTS (SELECT 1 FROM o)),
            s AS (${scopesOf("o", "ls")})
          INSERT INTO analytics_daily_money (scope_kind, scope_id, livemode, day, currency, refunded_amount)
          SELECT s.kind, s.id, o.livemode, o.day, o.currency, s.amount FROM s, o WHERE true
          ON CONFLICT DO UPDATE SET refunded_amount = refunded_amount + excluded.refunded_amount`,
    args: { refund: refundId, at },
  };
}

/**
 * The statement counting return :return's order as returned on its paid day, if this batch approved the return
 * for the first time (refund :refund, decided at `at`): in the merchant's and the platform's figures, and in those of
 * each note, session and creator a returned line is attributed to; in each scope once per order, whatever later
 * returns of the same order add.
 */
export function returnApproved(returnId: string, refundId: string, at: string): InStatement {
  const linesOf = (returnsWhere: string) => `
    SELECT l.creator_id, l.live_session_id, l.note_id, 0 AS amount
    FROM returns t JOIN return_lines rl ON rl.return_id = t.id
    JOIN order_lines l ON l.order_id = t.order_id AND l.position = rl.position
    WHERE ${returnsWhere}`;
  return {
    sql: `WITH
            t AS (SELECT order_id FROM returns
                  WHERE id = :return AND status = 'approved' AND refund_id = :refund AND decided_at = :at),
            o AS (SELECT o.merchant_id, o.livemode, 0 AS whole, substr(o.paid_at, 1, 10) AS day
                  FROM orders o JOIN t ON t.order_id = o.id WHERE o.paid_at IS NOT NULL),
            ls AS (${linesOf("t.id = :return")}),
            earlier_ls AS (${linesOf("t.order_id = (SELECT order_id FROM returns WHERE id = :return) AND t.id != :return AND t.status IN ('approved', 'refunded')")}),
            s AS (${scopesOf("o", "ls")}),
            earlier_o AS (SELECT o.merchant_id, 0 AS whole FROM o WHERE EXISTS (SELECT 1 FROM earlier_ls)),
            earlier AS (${scopesOf("earlier_o", "earlier_ls")})
          INSERT INTO analytics_daily (scope_kind, scope_id, livemode, day, returned_orders)
          SELECT s.kind, s.id, o.livemode, o.day, 1 FROM s, o WHERE (s.kind, s.id) NOT IN (SELECT kind, id FROM earlier)
          ON CONFLICT DO UPDATE SET returned_orders = returned_orders + 1`,
    args: { return: returnId, refund: refundId, at },
  };
}

/** What was viewed: a note (through the storefront's view beacon) or a live session (a viewer's stream token). */
export type ViewSubject = { kind: "note"; id: string } | { kind: "live_session"; id: string };

/**
 * Statements counting a view of a note or live session by `viewerId` at `at`, once per viewer, subject and UTC day:
 * in the subject's figures, its author's or host's (creator or merchant), those of every merchant whose products it
 * tags or shelves, and the platform's. A deleted note or a cancelled session counts nothing.
 */
export function viewed(subject: ViewSubject, viewerId: string, at: string): InStatement[] {
  const args = { subject: subject.id, viewer: viewerId, day: dayOf(at) };
  const column = subject.kind === "note" ? "note_views" : "stream_views";
  const scopes =
    subject.kind === "note"
      ? `SELECT 'note' AS kind, id FROM notes WHERE id = :subject AND status = 'published'
         UNION SELECT 'creator', creator_id FROM notes WHERE id = :subject AND status = 'published' AND creator_id IS NOT NULL
         UNION SELECT 'merchant', p.merchant_id FROM note_products np JOIN products p ON p.id = np.product_id
           JOIN notes n ON n.id = np.note_id WHERE np.note_id = :subject AND n.status = 'published'
         UNION SELECT 'platform', '' FROM notes WHERE id = :subject AND status = 'published'`
      : `SELECT 'live_session' AS kind, id FROM live_sessions WHERE id = :subject AND status != 'cancelled'
         UNION SELECT 'creator', creator_id FROM live_sessions
           WHERE id = :subject AND status != 'cancelled' AND host_type = 'creator'
         UNION SELECT 'merchant', merchant_id FROM live_sessions
           WHERE id = :subject AND status != 'cancelled' AND host_type = 'merchant'
         UNION SELECT 'merchant', p.merchant_id FROM live_session_products sp JOIN products p ON p.id = sp.product_id
           JOIN live_sessions v ON v.id = sp.session_id WHERE sp.session_id = :subject AND v.status != 'cancelled'
         UNION SELECT 'platform', '' FROM live_sessions WHERE id = :subject AND status != 'cancelled'`;
  return [
    {
      // Before the viewer's row: only a first view of the day counts; in both modes' figures.
      sql: `WITH s AS (${scopes})
            INSERT INTO analytics_daily (scope_kind, scope_id, livemode, day, ${column})
            SELECT kind, id, m.livemode, :day, 1 FROM s, (SELECT 0 AS livemode UNION ALL SELECT 1) m
            WHERE NOT EXISTS (SELECT 1 FROM analytics_viewers WHERE subject_id = :subject AND day = :day AND viewer_id = :viewer)
            ON CONFLICT DO UPDATE SET ${column} = ${column} + 1`,
      args,
    },
    {
      sql: `INSERT INTO analytics_viewers (subject_id, day, viewer_id) VALUES (:subject, :day, :viewer)
            ON CONFLICT DO NOTHING`,
      args,
    },
  ];
}

/** The views this isolate has written (subject, viewer, UTC day), oldest first; bounded. */
const written = new Set<string>();
const WRITTEN_MAX = 20_000;

/**
 * Counts a view (viewed), unless this isolate has already written the same viewer's view of the subject today: a
 * stream token renewed every 10 minutes, or a note opened again, would be a write the database counts as nothing.
 * The database still decides (once per viewer, subject and day, whichever isolate writes); forgetting the oldest
 * past the bound only costs such a write.
 */
export async function recordView(db: Database, subject: ViewSubject, viewerId: string, at: string): Promise<void> {
  const key = `${subject.kind}~${subject.id}~${viewerId}~${dayOf(at)}`;
  if (written.has(key)) return;
  await db.$client.batch(viewed(subject, viewerId, at), "write");
  written.add(key);
  if (written.size > WRITTEN_MAX) written.delete(written.values().next().value as string);
}
