// advancePresaleOrder: what a pre-sale order's OrderDeadlines alarm does, by the clock and the order's state; it
// returns when to look again (null: never). Every step is conditional, so a late or repeated alarm is harmless.
// Design: docs/design/order-deadlines.md#the-modes
import type { Database } from "#shared/db.ts";
import { cancelPresaleOrder } from "./cancel-presale-order.ts";
import { changePresaleOrder } from "./change-presale-order.ts";
import { letGoOfOpenPayments } from "./let-go-of-payments.ts";
import { type PresaleOrderState, presaleOrderState } from "./presale.ts";

const RECHECK_MS = 15 * 60_000;

/** The order moves to pending_balance (order.balance_due) if its deposit is paid and its balance window is open. */
export const openBalance = (db: Database, state: PresaleOrderState, now: Date) =>
  changePresaleOrder({
    db,
    order: state,
    from: ["deposit_paid"],
    to: "pending_balance",
    event: "order.balance_due",
    guard: {
      sql: "EXISTS (SELECT 1 FROM presale_orders WHERE order_id = :id AND balance_starts_at <= :at AND :at < balance_ends_at)",
    },
    now,
  });

/**
 * - pending_deposit past its deadline: cancelled, units released (a deposit still processing: look again later).
 * - deposit_paid when the balance window opens: pending_balance, `order.balance_due`.
 * - deposit_paid or pending_balance when the balance window has closed: `deposit_forfeited`, units released, the
 *   deposit kept (定金: not refunded unless the merchant is at fault), any balance payment never confirmed let go.
 *   A balance payment processing or done holds it off (its outcome decides).
 */
export async function advancePresaleOrder({
  env,
  db,
  orderId,
  now = new Date(),
}: {
  env: Env;
  db: Database;
  orderId: string;
  now?: Date;
}): Promise<number | null> {
  const state = await presaleOrderState(db, orderId);
  if (!state) return null;
  const at = now.toISOString();
  const recheck = now.getTime() + RECHECK_MS;
  switch (state.status) {
    case "pending_deposit": {
      if (at < state.paymentDueAt) return Date.parse(state.paymentDueAt);
      return (await cancelPresaleOrder({ env, db, state, reason: "payment_timeout" })) ? null : recheck;
    }
    case "deposit_paid":
    case "pending_balance": {
      if (at >= state.balanceEndsAt) {
        const forfeited = await changePresaleOrder({
          db,
          order: state,
          from: ["deposit_paid", "pending_balance"],
          to: "deposit_forfeited",
          event: "order.deposit_forfeited",
          guard: {
            sql: `EXISTS (SELECT 1 FROM presale_orders WHERE order_id = :id AND balance_ends_at <= :at)
                  AND NOT EXISTS (SELECT 1 FROM presale_orders po JOIN payments p ON p.id = po.balance_payment_id
                                  WHERE po.order_id = :id AND p.status IN ('processing', 'succeeded'))`,
          },
          release: true,
          now,
        });
        if (!forfeited) return recheck;
        await letGoOfOpenPayments(env, db, orderId);
        return null;
      }
      if (at < state.balanceStartsAt) return Date.parse(state.balanceStartsAt);
      if (state.status === "deposit_paid") await openBalance(db, state, now);
      return Date.parse(state.balanceEndsAt);
    }
    default:
      return null;
  }
}
