// What a payment event does to a pre-sale order, as statements for applyPaymentEvent's batch: a deposit that
// succeeded makes it deposit_paid, a balance makes it paid. Conditional on the state before, so they do nothing for
// other orders or a duplicate event; a balance that succeeds after the deposit was forfeited is refunded in full.
// Design: docs/design/checkout.md#payment-events-are-applied-once
import type { InStatement } from "@libsql/client/web";
import { eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { presaleOrders } from "#shared/schema.ts";
import { orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { refundStrayPayment } from "../refunds/create-refund.ts";

const succeeded = (which: "deposit" | "balance") =>
  `EXISTS (SELECT 1 FROM presale_orders po JOIN payments p ON p.id = po.${which}_payment_id
           WHERE po.order_id = :order AND p.id = :payment AND p.status = 'succeeded')`;

export function presalePaymentStatements(orderId: string, paymentId: string, now: Date): InStatement[] {
  const at = now.toISOString();
  const args = { order: orderId, payment: paymentId, at };
  return [
    {
      sql: `UPDATE orders SET status = 'deposit_paid', version = version + 1, updated_at = :at
            WHERE id = :order AND status = 'pending_deposit' AND ${succeeded("deposit")}`,
      args,
    },
    ...rawStatements(
      orderEvent("order.deposit_paid", orderId, sql`o.status = 'deposit_paid' AND o.updated_at = ${at}`, now),
    ),
    {
      sql: `UPDATE orders SET status = 'paid', paid_at = :at, version = version + 1, updated_at = :at
            WHERE id = :order AND status = 'pending_balance' AND ${succeeded("balance")}`,
      args,
    },
    ...rawStatements(
      orderEvent(
        "order.paid",
        orderId,
        sql`o.status = 'paid' AND o.paid_at = ${at} AND EXISTS (SELECT 1 FROM presale_orders WHERE order_id = o.id)`,
        now,
      ),
    ),
  ];
}

/** Refunds `paymentId` if it is the balance of a pre-sale order whose deposit was forfeited (safe to repeat). */
export async function refundLateBalance(env: Env, db: Database, orderId: string, paymentId: string): Promise<void> {
  const po = await db.query.presaleOrders.findFirst({ where: eq(presaleOrders.orderId, orderId) });
  if (po?.balancePaymentId !== paymentId) return;
  await refundStrayPayment(env, db, {
    orderId,
    status: "deposit_forfeited",
    reason: "balance_after_forfeit",
    paymentId,
  });
}
