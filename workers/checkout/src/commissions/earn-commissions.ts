// Creator commissions earned: when an order becomes paid, one `earned` ledger entry per credited line (a line whose
// attribution checkout verified), in the SAME batch as the order becoming paid, so no paid order misses them.
// Design: docs/design/checkout.md#attribution-is-verified-not-trusted
import type { InStatement } from "@libsql/client/web";
import { and, eq, isNotNull } from "drizzle-orm";
import { bestPlanSql, planRateSql } from "#shared/affiliates.ts";
import type { Database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { orderLines } from "#shared/schema.ts";

/** Each credited line's position with the id its entry will take (ids are made here, sortable by creation). */
export async function creditedLines(db: Database, orderId: string, at: Date) {
  const rows = await db
    .select({ position: orderLines.position })
    .from(orderLines)
    .where(and(eq(orderLines.orderId, orderId), isNotNull(orderLines.creatorId)));
  return rows.map((row) => ({ position: row.position, id: newId("com", at.getTime()) }));
}

/**
 * The statement that records them, only if the order is paid and its `paid_at` is `at` (this batch paid it).
 * Rate: the affiliate plan that credits the sale at the order's checkout time (shared/affiliates.ts: an accepted
 * targeted plan, else an open one), recorded on the entry; else the live-session shelf's rate for a line sold from a
 * stream (fixed when shelved from the product's rate, else the merchant's), else the product's own rate, else the
 * merchant's `commission_rate_bps`. Amount: the line's paid
 * amount (unit price × quantity less its discounts) × rate / 10000, rounded down per line in integer minor units;
 * the remainder (under one fen a line) stays with the merchant.
 */
export function earnCommissions(
  orderId: string,
  entries: readonly { position: number; id: string }[],
  at: string,
): InStatement[] {
  if (entries.length === 0) return [];
  return [
    {
      sql: `INSERT INTO commission_entries
              (id, order_id, position, creator_id, merchant_id, kind, source, amount, currency, rate_bps,
               affiliate_plan_id, created_at)
            SELECT x.id, x.order_id, x.position, x.creator_id, x.merchant_id, 'earned', 'payment',
                   (x.unit_amount * x.quantity - x.discount_amount) * x.rate / 10000, x.currency, x.rate, x.plan_id, :at
            FROM (
              SELECT y.*, coalesce(${planRateSql("y.plan_id", "y.sold_at")}, y.default_rate) AS rate FROM (
              SELECT json_extract(j.value, '$.id') AS id, l.order_id, l.position, l.creator_id, l.unit_amount, l.discount_amount,
                     l.quantity, o.merchant_id, o.currency, o.created_at AS sold_at,
                     ${bestPlanSql({ creator: "l.creator_id", product: "l.product_id", merchant: "o.merchant_id", at: "o.created_at" })} AS plan_id,
                     coalesce(
                       (SELECT s.commission_rate_bps FROM live_session_products s
                        WHERE s.session_id = l.live_session_id AND s.product_id = l.product_id),
                       (SELECT p.commission_rate_bps FROM products p WHERE p.id = l.product_id),
                       (SELECT m.commission_rate_bps FROM merchants m WHERE m.id = o.merchant_id)) AS default_rate
              FROM json_each(:entries) j
              JOIN order_lines l ON l.order_id = :order AND l.position = json_extract(j.value, '$.position')
              JOIN orders o ON o.id = l.order_id
              WHERE l.creator_id IS NOT NULL AND o.status = 'paid' AND o.paid_at = :at
            ) y) x
            WHERE true
            ON CONFLICT (order_id, position, source) DO NOTHING`,
      args: { order: orderId, entries: JSON.stringify(entries), at },
    },
  ];
}
