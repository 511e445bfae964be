// payBalance: the shopper opens the balance payment of a pre-sale order, once, only inside its balance window (409
// `balance_not_open` before, `balance_window_closed` after). The batch that records the payment checks the window
// again; refused there, the provider's payment is let go, so nothing is charged. It may also open the balance.
// Design: docs/design/order-deadlines.md#the-modes
import { sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { orderEvent, rawStatements } from "#shared/webhook-events.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { type PresaleOrderState, presaleOrderState } from "./presale.ts";

/** Why the balance cannot be paid now, or null if it can. */
function refusal(state: PresaleOrderState, at: string): ProblemError | null {
  const { orderId, status } = state;
  if (status === "deposit_forfeited" || (at >= state.balanceEndsAt && status !== "paid")) {
    return new ProblemError(
      "balance_window_closed",
      `Order ${orderId}'s balance window closed at ${state.balanceEndsAt}; its deposit is forfeited and nothing was charged.`,
    );
  }
  if (status === "pending_deposit") return new ProblemError("conflict", `Order ${orderId}'s deposit is not paid yet.`);
  if (status !== "deposit_paid" && status !== "pending_balance") {
    return new ProblemError("conflict", `Order ${orderId} is ${status}; it has no balance to pay.`);
  }
  if (at < state.balanceStartsAt) {
    return new ProblemError(
      "balance_not_open",
      `Order ${orderId}'s balance can be paid from ${state.balanceStartsAt}.`,
    );
  }
  return null;
}

export async function payBalance({
  db,
  orderId,
  ownerId,
  provider,
}: {
  db: Database;
  orderId: string;
  ownerId: string;
  provider: PaymentProvider;
}): Promise<{ created: boolean }> {
  const state = await presaleOrderState(db, orderId);
  if (!state || state.ownerId !== ownerId) throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  if (state.balancePaymentId !== null && state.status === "paid") return { created: false };
  const now = new Date();
  const at = now.toISOString();
  const refused = refusal(state, at);
  if (refused) throw refused;
  if (state.balancePaymentId !== null) return { created: false };

  const paymentId = newId("pay", now.getTime());
  const opened = await provider.createPayment({
    id: paymentId,
    orderId,
    cartId: state.cartId,
    amount: state.balanceAmount,
    currency: state.currency,
  });
  const args = {
    id: orderId,
    pay: paymentId,
    at,
    provider: provider.name,
    reference: opened.reference,
    secret: opened.clientSecret,
  };
  const mine = "EXISTS (SELECT 1 FROM presale_orders WHERE order_id = :id AND balance_payment_id = :pay)";
  const results = await db.$client.batch(
    [
      {
        sql: `UPDATE presale_orders SET balance_payment_id = :pay
              WHERE order_id = :id AND balance_payment_id IS NULL AND balance_starts_at <= :at AND :at < balance_ends_at
              AND EXISTS (SELECT 1 FROM orders WHERE id = :id AND status IN ('deposit_paid', 'pending_balance'))`,
        args,
      },
      {
        sql: `INSERT INTO payments (id, order_id, livemode, provider, provider_reference, client_secret, status, amount,
                                    currency, created_at, updated_at)
              SELECT :pay, :id, o.livemode, :provider, :reference, :secret, 'requires_payment', po.balance_amount,
                     o.currency, :at, :at
              FROM presale_orders po JOIN orders o ON o.id = po.order_id WHERE po.order_id = :id AND ${mine}`,
        args,
      },
      {
        sql: `UPDATE orders SET status = 'pending_balance', version = version + 1, updated_at = :at
              WHERE id = :id AND status = 'deposit_paid' AND ${mine}`,
        args,
      },
      ...rawStatements(
        orderEvent("order.balance_due", orderId, sql`o.status = 'pending_balance' AND o.updated_at = ${at}`, now),
      ),
    ],
    "write",
  );
  kickDispatchers(results);
  if ((results[0]?.rowsAffected ?? 0) === 1) return { created: true };
  await provider.cancelPayment(opened.reference);
  const after = await presaleOrderState(db, orderId);
  // Another request opened it meanwhile: that one stands.
  if (after?.balancePaymentId) return { created: false };
  throw (
    (after && refusal(after, new Date().toISOString())) ??
    new ProblemError("conflict", `Order ${orderId} changed; try again.`)
  );
}
