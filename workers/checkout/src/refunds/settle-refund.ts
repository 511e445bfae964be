// settleRefund: a refund's pending parts become succeeded or failed, once each, in one batch, from the providers'
// answers or from a webhook for one part (recorded once per provider event id). The refund settles when its last
// part has; in the same batch the order's status moves, and the return, commission reversals and analytics follow
// what it gave back.
// Design: docs/design/refund-recovery.md#settling
import type { InStatement } from "@libsql/client/web";
import { eq, sql } from "drizzle-orm";
import { refundSucceeded } from "#shared/analytics.ts";
import type { Database } from "#shared/db.ts";
import { refundPayments, refunds } from "#shared/schema.ts";
import { orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { commissionReversals } from "../commissions/reverse-commissions.ts";
import type { RefundOutcome } from "../payments/provider.ts";
import { returnRefunded } from "../returns/settle-return.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

export const refundableStatuses = ["paid", "fulfilled", "delivered", "partially_refunded"] as const;

/** A provider's answer for one part: its refund id there, and the outcome (pending: only the id is recorded). */
export interface PartOutcome {
  /** The part's payment; null: the part whose provider refund is `reference`, or the refund's only part. */
  paymentId: string | null;
  reference: string | null;
  outcome: RefundOutcome;
  failureReason: string | null;
}

type PartRow = typeof refundPayments.$inferSelect;

function partOf(parts: PartRow[], answer: PartOutcome): PartRow | undefined {
  if (answer.paymentId !== null) return parts.find((p) => p.paymentId === answer.paymentId);
  return (
    parts.find((p) => answer.reference !== null && p.providerRefundId === answer.reference) ??
    (parts.length === 1 ? parts[0] : undefined)
  );
}

export async function settleRefund({
  db,
  refundId,
  parts: answers,
  event,
}: {
  db: Database;
  refundId: string;
  parts: PartOutcome[];
  /** When a webhook says so: applied once per event id. */
  event?: { provider: string; id: string; payload: string };
}): Promise<{ duplicate: boolean; known: boolean }> {
  const [found, parts] = await db.batch([
    db.select().from(refunds).where(eq(refunds.id, refundId)),
    db.select().from(refundPayments).where(eq(refundPayments.refundId, refundId)),
  ]);
  const refund = found[0];
  const settled = answers.flatMap((answer) => {
    const part = partOf(parts, answer);
    return part && (!event || part.provider === event.provider) ? [{ part, answer }] : [];
  });
  if (!refund || settled.length === 0) return { duplicate: false, known: false };
  const now = new Date();
  const at = now.toISOString();
  const args = { refund: refund.id, order: refund.orderId, at, refundable: JSON.stringify(refundableStatuses) };
  // order.refunded, recorded only if a part of this refund succeeded in this batch and moved the order.
  const refunded = orderEvent(
    "order.refunded",
    refund.orderId,
    sql`o.updated_at = ${at} AND o.status IN ('refunded', 'partially_refunded')
        AND EXISTS (SELECT 1 FROM refund_payments WHERE refund_id = ${refund.id} AND status = 'succeeded' AND updated_at = ${at})`,
    now,
  );
  const recorded = event
    ? "AND EXISTS (SELECT 1 FROM payment_events WHERE provider = :provider AND event_id = :event AND received_at = :at)"
    : "";
  const partStatements: InStatement[] = settled.flatMap(({ part, answer }) => {
    const partArgs = {
      ...args,
      payment: part.paymentId,
      reference: answer.reference,
      outcome: answer.outcome,
      why: answer.outcome === "failed" ? answer.failureReason : null,
      provider: event?.provider ?? part.provider,
      event: event?.id ?? null,
      type: `refund.${answer.outcome}`,
      payload: event?.payload ?? "",
    };
    return [
      ...(event
        ? [
            {
              sql: `INSERT INTO payment_events (provider, event_id, payment_id, type, sequence, payload, received_at)
                    VALUES (:provider, :event, :payment, :type, 0, :payload, :at)
                    ON CONFLICT (provider, event_id) DO NOTHING`,
              args: partArgs,
            },
          ]
        : []),
      {
        sql: `UPDATE refund_payments SET provider_refund_id = coalesce(provider_refund_id, :reference)
              WHERE refund_id = :refund AND payment_id = :payment AND :reference IS NOT NULL`,
        args: partArgs,
      },
      ...(answer.outcome === "pending"
        ? []
        : [
            {
              sql: `UPDATE refund_payments SET status = :outcome, failure_reason = :why, updated_at = :at
                    WHERE refund_id = :refund AND payment_id = :payment AND status = 'pending' ${recorded}`,
              args: partArgs,
            },
          ]),
    ];
  });
  const results = await db.$client.batch(
    [
      ...partStatements,
      {
        // The refund settles with its last pending part.
        sql: `UPDATE refunds SET
                status = CASE WHEN EXISTS (SELECT 1 FROM refund_payments WHERE refund_id = :refund AND status = 'failed')
                  THEN 'failed' ELSE 'succeeded' END,
                failure_reason = (SELECT failure_reason FROM refund_payments
                                  WHERE refund_id = :refund AND status = 'failed' ORDER BY seq LIMIT 1),
                provider_reference = coalesce(provider_reference, (SELECT provider_refund_id FROM refund_payments
                                     WHERE refund_id = :refund AND payment_id = refunds.payment_id)),
                updated_at = :at
              WHERE id = :refund AND status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM refund_payments WHERE refund_id = :refund AND status = 'pending')`,
        args,
      },
      {
        sql: `UPDATE orders SET
                status = CASE
                  WHEN (SELECT sum(amount) FROM refund_payments WHERE order_id = :order AND status = 'succeeded')
                       >= (SELECT sum(amount) FROM payments WHERE order_id = :order AND status = 'succeeded')
                  THEN 'refunded' ELSE 'partially_refunded' END,
                updated_at = :at, version = version + 1
              WHERE id = :order AND status IN (SELECT value FROM json_each(:refundable))
              AND EXISTS (SELECT 1 FROM refund_payments WHERE refund_id = :refund AND status = 'succeeded' AND updated_at = :at)`,
        args,
      },
      ...rawStatements(refunded),
      // A return refunded by it, the commissions of what it gave back reversed, and the figures.
      returnRefunded(refund.id, at),
      ...(await commissionReversals(db, refund, now)),
      refundSucceeded(refund.id, at),
    ],
    "write",
  );
  kickDispatchers(results);
  return { duplicate: event !== undefined && (results[0]?.rowsAffected ?? 0) === 0, known: true };
}
