// applyPaymentEvent: a verified provider event, applied once per (provider, event id) in one batch: a newer state
// wins, `succeeded` always wins and is never undone, and the order becomes paid (commissions earned, their release
// armed) only if its payment succeeded while it awaited payment. A success for an order cancelled meanwhile is
// refunded in full, checked on every redelivery. Pre-sale payments move their order the same way.
// Design: docs/design/checkout.md#payment-events-are-applied-once
import { eq, sql } from "drizzle-orm";
import { orderPaid } from "#shared/analytics.ts";
import type { Database } from "#shared/db.ts";
import { payments } from "#shared/schema.ts";
import { orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { creditedLines, earnCommissions } from "../commissions/earn-commissions.ts";
import { armCommissionRelease } from "../commissions/release-commissions.ts";
import { presalePaymentStatements, refundLateBalance } from "../presales/presale-payment-statements.ts";
import { refundCancelledOrder } from "../refunds/create-refund.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import type { PaymentEvent } from "./provider.ts";

export async function applyPaymentEvent({
  env,
  db,
  provider,
  livemode,
  event,
}: {
  env: Env;
  db: Database;
  provider: string;
  /** The mode of the provider's account that signed the event: a payment of the other mode is not its to move. */
  livemode: boolean;
  event: PaymentEvent;
}): Promise<{ duplicate: boolean; known: boolean }> {
  const payment = await db.query.payments.findFirst({ where: eq(payments.id, event.paymentId) });
  if (!payment || payment.provider !== provider || payment.livemode !== livemode)
    return { duplicate: false, known: false };
  const now = new Date();
  const at = now.toISOString();
  // order.paid, recorded only if this batch made the order paid.
  const paid = orderEvent("order.paid", payment.orderId, sql`o.status = 'paid' AND o.paid_at = ${at}`, now);
  const credited = event.outcome === "succeeded" ? await creditedLines(db, payment.orderId, now) : [];
  const args = {
    provider,
    event: event.id,
    payment: payment.id,
    order: payment.orderId,
    type: `payment.${event.outcome}`,
    seq: event.sequence,
    payload: event.payload,
    status: event.outcome,
    at,
  };
  const results = await db.$client.batch(
    [
      {
        sql: `INSERT INTO payment_events (provider, event_id, payment_id, type, sequence, payload, received_at)
              VALUES (:provider, :event, :payment, :type, :seq, :payload, :at)
              ON CONFLICT (provider, event_id) DO NOTHING`,
        args,
      },
      {
        sql: `UPDATE payments SET status = :status, last_event_sequence = max(last_event_sequence, :seq), updated_at = :at
              WHERE id = :payment AND status != 'succeeded'
              AND (last_event_sequence < :seq OR :status = 'succeeded')
              AND EXISTS (SELECT 1 FROM payment_events WHERE provider = :provider AND event_id = :event AND received_at = :at)`,
        args,
      },
      {
        sql: `UPDATE orders SET status = 'paid', paid_at = :at, updated_at = :at, version = version + 1
              WHERE id = :order AND status = 'pending_payment'
              AND EXISTS (SELECT 1 FROM payments WHERE id = :payment AND status = 'succeeded'
                          AND payments.livemode = orders.livemode)`,
        args,
      },
      ...rawStatements(paid),
      ...presalePaymentStatements(payment.orderId, payment.id, now),
      ...earnCommissions(payment.orderId, credited, at),
      ...orderPaid(payment.orderId, at),
    ],
    "write",
  );
  kickDispatchers(results);
  if (credited.length > 0) await armCommissionRelease(env, payment.orderId, now);
  if (event.outcome === "succeeded") {
    await refundCancelledOrder(env, db, payment.orderId);
    await refundLateBalance(env, db, payment.orderId, payment.id);
  }
  return { duplicate: (results[0]?.rowsAffected ?? 0) === 0, known: true };
}
