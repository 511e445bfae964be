// Commission reversals: when a refund settles having given money back, each credited line's commission is reversed
// by the share of the line given back so far, in the SAME batch as the refund settling, as new negative `reversal`
// entries (nothing written changes). Each entry is the line's target, floor(earned × given back / line value), less
// what was reversed before, so the ledger always adds up and a line never goes below zero.
// Design: docs/design/refund-recovery.md#settling
import type { InStatement } from "@libsql/client/web";
import { and, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { commissionEntries } from "#shared/schema.ts";

/** SQL: what settled refund `r` gave back (its parts that succeeded: all of it when it succeeded). */
export const refundGave = `(SELECT coalesce(sum(rp.amount), 0) FROM refund_payments rp
  WHERE rp.refund_id = r.id AND rp.status = 'succeeded')`;

/** SQL: what order `order_id` was paid (a pre-sale order: its deposit and balance). */
export const orderPaidAmount = (orderId: string) =>
  `(SELECT sum(amount) FROM payments WHERE order_id = ${orderId} AND status = 'succeeded')`;

/** SQL: the money given back so far for line `l` of earned entry `e`, by settled refunds. */
const givenBack = `(
  SELECT coalesce(sum(CASE
    WHEN EXISTS (SELECT 1 FROM refund_lines WHERE refund_id = r.id)
    THEN coalesce((SELECT fl.amount FROM refund_lines fl WHERE fl.refund_id = r.id AND fl.position = e.position), 0)
         * ${refundGave} / (SELECT sum(amount) FROM refund_lines WHERE refund_id = r.id)
    ELSE (l.unit_amount * l.quantity - l.discount_amount) * ${refundGave} / ${orderPaidAmount("r.order_id")}
  END), 0)
  FROM refunds r WHERE r.order_id = e.order_id AND r.status IN ('succeeded', 'failed')
)`;

export async function commissionReversals(
  db: Database,
  refund: { id: string; orderId: string },
  at: Date,
): Promise<InStatement[]> {
  const earned = await db
    .select({ position: commissionEntries.position })
    .from(commissionEntries)
    .where(and(eq(commissionEntries.orderId, refund.orderId), eq(commissionEntries.kind, "earned")));
  if (earned.length === 0) return [];
  const entries = earned.map((e) => ({ position: e.position, id: newId("com", at.getTime()) }));
  return [
    {
      sql: `INSERT INTO commission_entries
              (id, order_id, position, creator_id, merchant_id, kind, source, amount, currency, rate_bps,
               affiliate_plan_id, created_at)
            SELECT json_extract(j.value, '$.id'), x.order_id, x.position, x.creator_id, x.merchant_id, 'reversal',
                   :refund, x.reversed - x.target, x.currency, x.rate_bps, x.affiliate_plan_id, :at
            FROM json_each(:entries) j JOIN (
              SELECT e.order_id, e.position, e.creator_id, e.merchant_id, e.currency, e.rate_bps, e.affiliate_plan_id,
                     CASE WHEN o.status = 'refunded' THEN e.amount
                          ELSE e.amount * min(${givenBack}, (l.unit_amount * l.quantity - l.discount_amount)) / (l.unit_amount * l.quantity - l.discount_amount)
                     END AS target,
                     (SELECT -coalesce(sum(amount), 0) FROM commission_entries
                      WHERE order_id = e.order_id AND position = e.position AND kind = 'reversal') AS reversed
              FROM commission_entries e
              JOIN order_lines l ON l.order_id = e.order_id AND l.position = e.position
              JOIN orders o ON o.id = e.order_id
              WHERE e.order_id = :order AND e.kind = 'earned'
            ) x ON x.position = json_extract(j.value, '$.position')
            WHERE x.target > x.reversed
            AND EXISTS (SELECT 1 FROM refunds r WHERE r.id = :refund AND r.status IN ('succeeded', 'failed')
                        AND r.updated_at = :at AND ${refundGave} > 0)
            ON CONFLICT (order_id, position, source) DO NOTHING`,
      args: { refund: refund.id, order: refund.orderId, entries: JSON.stringify(entries), at: at.toISOString() },
    },
  ];
}
