// advanceOrder: the forward steps of an order, each a conditional update from the one state it may follow:
// pending_payment -> paid, paid -> fulfilled, fulfilled -> delivered; anything else is a 409 `conflict`. A partially
// refunded order still ships the rest, keeping its status, its progress in fulfilledAt and deliveredAt.
import { and, eq, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { orders } from "#shared/schema.ts";
import { orderEvent } from "#shared/webhook-events.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import type { OrderStatus } from "./order.ts";

const steps = {
  paid: { from: "pending_payment", stamp: "paidAt", after: null },
  fulfilled: { from: "paid", stamp: "fulfilledAt", after: "paidAt" },
  delivered: { from: "fulfilled", stamp: "deliveredAt", after: "fulfilledAt" },
} as const satisfies Record<string, { from: OrderStatus; stamp: string; after: string | null }>;

export async function advanceOrder({
  db,
  orderId,
  to,
  merchantId,
}: {
  db: Database;
  orderId: string;
  to: keyof typeof steps;
  /** When a merchant acts: only its own orders (another's is not found). */
  merchantId?: string;
}): Promise<{ advanced: boolean }> {
  const step = steps[to];
  const now = new Date();
  const at = now.toISOString();
  const owned = merchantId === undefined ? undefined : eq(orders.merchantId, merchantId);
  const partlyRefunded =
    step.after === null
      ? undefined
      : and(eq(orders.status, "partially_refunded"), isNotNull(orders[step.after]), isNull(orders[step.stamp]));
  // order.<to>, recorded in the same batch if this update stamped the order.
  const event = orderEvent(`order.${to}`, orderId, sql`o.${sql.identifier(orders[step.stamp].name)} = ${at}`, now);
  const [updated, ...results] = await db.batch([
    db
      .update(orders)
      .set({
        status: sql`CASE WHEN ${orders.status} = 'partially_refunded' THEN ${orders.status} ELSE ${to} END`,
        [step.stamp]: at,
        updatedAt: at,
        version: sql`${orders.version} + 1`,
      })
      .where(and(eq(orders.id, orderId), or(eq(orders.status, step.from), partlyRefunded), owned))
      .returning({ id: orders.id }),
    ...event.map((statement) => db.run(statement)),
  ]);
  kickDispatchers(results);
  if (updated.length === 1) return { advanced: true };
  const order = await db.query.orders.findFirst({ where: and(eq(orders.id, orderId), owned) });
  if (!order) throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  if (order.status === to || (order.status === "partially_refunded" && order[step.stamp] !== null)) {
    return { advanced: false };
  }
  throw new ProblemError("conflict", `Order ${orderId} is ${order.status}; it cannot become ${to}.`);
}
