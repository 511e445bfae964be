// cancelOrder: an unpaid order is cancelled (by its customer, its merchant, or the payment timeout) and its stock
// goes back: regular units through the ledger in the same transaction as the conditional status change (so a payment
// and a cancellation cannot both win), flash-sale units to their sale's object (idempotent, re-run on retry).
// Design: docs/design/order-deadlines.md#the-modes
import { eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { orderLines, orders } from "#shared/schema.ts";
import { moveStockStatements } from "#shared/stock.ts";
import { orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { stockOfHold } from "../flash-sales/shards.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

export type CancelReason = "customer" | "merchant" | "payment_timeout";

export async function cancelOrder({
  env,
  db,
  orderId,
  reason,
}: {
  env: Env;
  db: Database;
  orderId: string;
  reason: CancelReason;
}): Promise<{ cancelled: boolean; status: string }> {
  const [orderRows, lines] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)),
  ]);
  const order = orderRows[0];
  if (!order) return { cancelled: false, status: "missing" };
  const moment = new Date();
  const at = moment.toISOString();
  let cancelled = false;
  if (order.status === "pending_payment") {
    const guard =
      reason === "payment_timeout"
        ? "AND payment_due_at <= :at AND NOT EXISTS (SELECT 1 FROM payments WHERE order_id = :id AND status IN ('processing', 'succeeded'))"
        : "AND NOT EXISTS (SELECT 1 FROM payments WHERE order_id = :id AND status = 'succeeded')";
    // This cancellation won (over `:order`, since moveStockStatements keeps `:id` for its ledger row).
    const mine = "EXISTS (SELECT 1 FROM orders WHERE id = :order AND status = 'cancelled' AND cancelled_at = :at)";
    const results = await db.$client.batch(
      [
        {
          sql: `UPDATE orders SET status = 'cancelled', cancelled_at = :at, cancel_reason = :reason,
                  version = version + 1, updated_at = :at
                WHERE id = :id AND status = 'pending_payment' ${guard}`,
          args: { id: orderId, at, reason },
        },
        ...lines
          .filter((line) => line.holdId === null)
          .flatMap((line) =>
            moveStockStatements({
              ledgerId: newId("led"),
              skuId: line.skuId,
              delta: line.quantity,
              reason: "order_cancelled",
              idempotencyKey: `${orderId}:cancel`,
              at,
              when: { sql: mine, args: { order: orderId } },
            }),
          ),
        // Coupons the order used are the shopper's again.
        {
          sql: `UPDATE coupon_claims SET order_id = NULL, used_at = NULL WHERE order_id = :order AND ${mine}`,
          args: { order: orderId, at },
        },
        ...rawStatements(
          orderEvent("order.cancelled", orderId, sql`o.status = 'cancelled' AND o.cancelled_at = ${at}`, moment),
        ),
      ],
      "write",
    );
    cancelled = (results[0]?.rowsAffected ?? 0) === 1;
    kickDispatchers(results);
  }
  const now = cancelled ? "cancelled" : (await db.query.orders.findFirst({ where: eq(orders.id, orderId) }))?.status;
  if (now === "cancelled") {
    await Promise.all(
      lines
        .filter((line) => line.holdId !== null && line.flashSaleId !== null)
        .map((line) =>
          stockOfHold(env, line.flashSaleId ?? "", line.holdId ?? "").releaseCommitted(line.holdId ?? "", order.id),
        ),
    );
  }
  return { cancelled, status: now ?? order.status };
}

/** cancelOrder for a caller: 409 unless the order is (or already was) cancelled. */
export async function cancelOrderOrConflict(input: Parameters<typeof cancelOrder>[0]): Promise<void> {
  const result = await cancelOrder(input);
  if (result.status !== "cancelled") {
    throw new ProblemError(
      "conflict",
      result.status === "pending_payment"
        ? `Order ${input.orderId} has a payment in progress; it cannot be cancelled now.`
        : `Order ${input.orderId} is ${result.status}; only an unpaid order can be cancelled.`,
    );
  }
}
