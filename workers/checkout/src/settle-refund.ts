// settleRefund: a pending refund becomes succeeded or failed, once, in one batch: from the provider's answer at
// creation, or from its webhook event (then recorded once per (provider, event id), a duplicate changing nothing).
// A succeeded refund moves its order to `refunded` when the refunds that succeeded add up to its payments (a
// pre-sale order has two), else to `partially_refunded`; an order cancelled before its payment succeeded stays
// cancelled. A failed refund simply
// stops counting against what may be refunded (the reservation is the pending row itself). In the same batch: the
// return it pays for becomes refunded, and creator commissions on the lines it gives back are reversed.
import { eq, sql } from "drizzle-orm";
import { refundSucceeded } from "../../../shared/analytics.ts";
import type { Database } from "../../../shared/db.ts";
import { refunds } from "../../../shared/schema.ts";
import { orderEvent, rawStatements } from "../../../shared/webhook-events.ts";
import { commissionReversals } from "./commissions/reverse-commissions.ts";
import type { RefundEvent } from "./payments/provider.ts";
import { returnRefunded } from "./returns/settle-return.ts";
import { kickDispatchers } from "./webhooks/kick.ts";

export const refundableStatuses = ["paid", "fulfilled", "delivered", "partially_refunded"] as const;

export async function settleRefund({
  db,
  refundId,
  outcome,
  failureReason = null,
  event,
}: {
  db: Database;
  refundId: string;
  outcome: RefundEvent["outcome"];
  failureReason?: string | null;
  /** When a webhook says so: applied once per event id. */
  event?: { provider: string; id: string; payload: string };
}): Promise<{ duplicate: boolean; known: boolean }> {
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) });
  if (!refund || (event && refund.provider !== event.provider)) return { duplicate: false, known: false };
  const now = new Date();
  const at = now.toISOString();
  // order.refunded, recorded only if this batch's refund succeeded and moved the order.
  const refunded = orderEvent(
    "order.refunded",
    refund.orderId,
    sql`o.updated_at = ${at} AND o.status IN ('refunded', 'partially_refunded')
        AND EXISTS (SELECT 1 FROM refunds WHERE id = ${refund.id} AND status = 'succeeded' AND updated_at = ${at})`,
    now,
  );
  const args = {
    refund: refund.id,
    payment: refund.paymentId,
    order: refund.orderId,
    outcome,
    why: outcome === "failed" ? failureReason : null,
    at,
    provider: event?.provider ?? refund.provider,
    event: event?.id ?? null,
    type: `refund.${outcome}`,
    payload: event?.payload ?? "",
    refundable: JSON.stringify(refundableStatuses),
  };
  const recorded =
    "EXISTS (SELECT 1 FROM payment_events WHERE provider = :provider AND event_id = :event AND received_at = :at)";
  const results = await db.$client.batch(
    [
      ...(event
        ? [
            {
              sql: `INSERT INTO payment_events (provider, event_id, payment_id, type, sequence, payload, received_at)
                    VALUES (:provider, :event, :payment, :type, 0, :payload, :at)
                    ON CONFLICT (provider, event_id) DO NOTHING`,
              args,
            },
          ]
        : []),
      {
        sql: `UPDATE refunds SET status = :outcome, failure_reason = :why, updated_at = :at
              WHERE id = :refund AND status = 'pending' ${event ? `AND ${recorded}` : ""}`,
        args,
      },
      {
        sql: `UPDATE orders SET
                status = CASE
                  WHEN (SELECT sum(amount) FROM refunds WHERE order_id = :order AND status = 'succeeded')
                       >= (SELECT sum(amount) FROM payments WHERE order_id = :order AND status = 'succeeded')
                  THEN 'refunded' ELSE 'partially_refunded' END,
                updated_at = :at, version = version + 1
              WHERE id = :order AND status IN (SELECT value FROM json_each(:refundable))
              AND EXISTS (SELECT 1 FROM refunds WHERE id = :refund AND status = 'succeeded' AND updated_at = :at)`,
        args,
      },
      ...rawStatements(refunded),
      // A return refunded by it, and the commissions of the lines it refunds reversed in proportion.
      returnRefunded(refund.id, at),
      ...(await commissionReversals(db, refund, outcome, now)),
      refundSucceeded(refund.id, at),
    ],
    "write",
  );
  kickDispatchers(results);
  return { duplicate: event !== undefined && (results[0]?.rowsAffected ?? 0) === 0, known: true };
}
