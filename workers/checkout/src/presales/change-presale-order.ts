// changePresaleOrder: one conditional step of a pre-sale order's life, in one batch: the status change (only from
// the states named and only if `guard` holds when the batch runs, so racing steps cannot both win), its webhook
// event, and for a release (cancelled, forfeited) the order's units back to the SKU's stock through the ledger
// (keyed by the order, so they go back once) and out of the pre-sale's count.
import type { InValue } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { moveStockStatements } from "#shared/stock.ts";
import { orderEvent, rawStatements, type WebhookEventType } from "#shared/webhook-events.ts";
import type { OrderStatus } from "../orders/order.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

export interface PresaleOrderRef {
  orderId: string;
  presaleId: string;
  skuId: string;
  quantity: number;
}

export async function changePresaleOrder(input: {
  db: Database;
  order: PresaleOrderRef;
  from: readonly OrderStatus[];
  to: OrderStatus;
  event: `order.${string}` & WebhookEventType;
  /** SQL over the named args `:id` (the order) and `:at` (now), and `args`: the step happens only if it holds. */
  guard?: { sql: string; args?: Record<string, InValue> };
  cancelReason?: string;
  release?: boolean;
  now?: Date;
}): Promise<boolean> {
  const { db, order } = input;
  const now = input.now ?? new Date();
  const at = now.toISOString();
  const args = {
    ...input.guard?.args,
    id: order.orderId,
    // moveStockStatements names its ledger row `:id`: its condition names the order `:order`.
    order: order.orderId,
    at,
    to: input.to,
    from: JSON.stringify(input.from),
    reason: input.cancelReason ?? null,
    presale: order.presaleId,
    q: order.quantity,
  };
  // This batch made the change (`at` is its own instant).
  const mine = "EXISTS (SELECT 1 FROM orders WHERE id = :order AND status = :to AND updated_at = :at)";
  const cancelled = input.to === "cancelled";
  const release = input.release
    ? [
        ...moveStockStatements({
          ledgerId: newId("led", now.getTime()),
          skuId: order.skuId,
          delta: order.quantity,
          reason: `presale_${input.to}`,
          idempotencyKey: `${order.orderId}:release`,
          at,
          when: { sql: mine, args },
        }),
        {
          sql: `UPDATE presales SET taken = taken - :q WHERE id = :presale AND ${mine}
                AND EXISTS (SELECT 1 FROM presale_orders WHERE order_id = :order AND released_at IS NULL)`,
          args,
        },
        {
          sql: `UPDATE presale_orders SET released_at = :at WHERE order_id = :order AND released_at IS NULL AND ${mine}`,
          args,
        },
      ]
    : [];
  const results = await db.$client.batch(
    [
      {
        sql: `UPDATE orders SET status = :to, version = version + 1, updated_at = :at
                ${cancelled ? ", cancelled_at = :at, cancel_reason = :reason" : ""}
              WHERE id = :id AND status IN (SELECT value FROM json_each(:from))
              ${input.guard ? `AND (${input.guard.sql})` : ""}`,
        args,
      },
      ...release,
      ...rawStatements(
        orderEvent(input.event, order.orderId, sql`o.status = ${input.to} AND o.updated_at = ${at}`, now),
      ),
    ],
    "write",
  );
  kickDispatchers(results);
  return (results[0]?.rowsAffected ?? 0) === 1;
}
