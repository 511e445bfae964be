// cancelPresaleOrder: a pre-sale order is cancelled, its units go back to the SKU's stock, and provider payments
// still open for it are let go. Who may cancel when follows the rule of a deposit (定金): see the reasons below.
// Design: docs/design/order-deadlines.md#placing-a-pre-sale-order
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import type { OrderStatus } from "../orders/order.ts";
import { refundCancelledOrder } from "../refunds/create-refund.ts";
import { changePresaleOrder } from "./change-presale-order.ts";
import { letGoOfOpenPayments } from "./let-go-of-payments.ts";
import type { PresaleOrderState } from "./presale.ts";

/**
 * - `customer`, `payment_timeout`: only while the deposit is unpaid (and, for the timeout, past its deadline with no
 *   deposit payment processing). A paid deposit is not refunded at the shopper's wish: it is forfeited if the
 *   balance goes unpaid.
 * - `merchant`: also once the deposit is paid, as long as no balance payment is processing or done. The merchant is
 *   then at fault, and the deposit goes back in full (refundCancelledOrder).
 */
export type PresaleCancelReason = "customer" | "merchant" | "payment_timeout";

const noPayment = (which: "deposit" | "balance", statuses: string) =>
  `NOT EXISTS (SELECT 1 FROM presale_orders po JOIN payments p ON p.id = po.${which}_payment_id
               WHERE po.order_id = :id AND p.status IN (${statuses}))`;

const rules: Record<PresaleCancelReason, { from: OrderStatus[]; guard: string }> = {
  customer: { from: ["pending_deposit"], guard: noPayment("deposit", "'succeeded'") },
  payment_timeout: {
    from: ["pending_deposit"],
    guard: `payment_due_at <= :at AND ${noPayment("deposit", "'processing', 'succeeded'")}`,
  },
  merchant: {
    from: ["pending_deposit", "deposit_paid", "pending_balance"],
    guard: noPayment("balance", "'processing', 'succeeded'"),
  },
};

export async function cancelPresaleOrder({
  env,
  db,
  state,
  reason,
}: {
  env: Env;
  db: Database;
  state: PresaleOrderState;
  reason: PresaleCancelReason;
}): Promise<boolean> {
  const rule = rules[reason];
  const cancelled = await changePresaleOrder({
    db,
    order: state,
    from: rule.from,
    to: "cancelled",
    event: "order.cancelled",
    guard: { sql: rule.guard },
    cancelReason: reason,
    release: true,
  });
  if (cancelled) {
    await letGoOfOpenPayments(env, db, state.orderId);
    if (reason === "merchant") await refundCancelledOrder(env, db, state.orderId);
  }
  return cancelled;
}

/** cancelPresaleOrder for a caller: 409 unless the order is (or already was) cancelled. */
export async function cancelPresaleOrderOrConflict(input: Parameters<typeof cancelPresaleOrder>[0]): Promise<void> {
  if (input.state.status === "cancelled" || (await cancelPresaleOrder(input))) return;
  const { status, orderId } = input.state;
  const detail =
    input.reason === "customer" && (status === "deposit_paid" || status === "pending_balance")
      ? `Order ${orderId}'s deposit is paid and is not refunded on cancellation; unpaid when the balance window closes, it is forfeited.`
      : `Order ${orderId} is ${status} or has a payment in progress; it cannot be cancelled now.`;
  throw new ProblemError("conflict", detail);
}
