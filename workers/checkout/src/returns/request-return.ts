// requestReturn: a customer asks to send back units of its delivered order's lines, within the return window. ONE
// conditional INSERT … SELECT writes it only if the units fit in each line beside open returns and refunds not
// failed; the database runs writes one at a time, so two racing returns cannot both take the last unit.
// Design: docs/design/refund-recovery.md#never-more-than-was-paid
import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { orderLines, orders } from "#shared/schema.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { type Return, toReturn } from "./return.ts";
import { returnEvent } from "./return-event.ts";
import { returnWindowDays, returnWindowEndSql } from "./return-window.ts";

const returnable = ["delivered", "partially_refunded"];

/** SQL: the units of order line `l` already taken by open returns and by refunds not failed. */
const unitsTaken = `(
  SELECT coalesce(sum(rl.quantity), 0) FROM return_lines rl JOIN returns t ON t.id = rl.return_id
  WHERE rl.order_id = l.order_id AND rl.position = l.position AND t.status IN ('requested', 'approved')
) + (
  SELECT coalesce(sum(fl.quantity), 0) FROM refund_lines fl JOIN refunds f ON f.id = fl.refund_id
  WHERE fl.order_id = l.order_id AND fl.position = l.position AND f.status != 'failed'
  AND NOT EXISTS (SELECT 1 FROM returns t WHERE t.refund_id = f.id AND t.status IN ('requested', 'approved'))
)`;

export async function requestReturn({
  env,
  db,
  orderId,
  customerId,
  lines,
  reason,
}: {
  env: Env;
  db: Database;
  orderId: string;
  customerId: string;
  lines: { position: number; quantity: number }[];
  reason: string;
}): Promise<Return> {
  const [orderRows, bought] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
  ]);
  const order = orderRows[0];
  if (!order || order.ownerId !== customerId) throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  lines.forEach((wanted, i) => {
    if (!bought.some((line) => line.position === wanted.position)) {
      throw new ProblemError("validation_failed", `Order ${orderId} has no line at position ${wanted.position}.`, {
        errors: [{ path: `/lines/${i}/position`, message: "no such line" }],
      });
    }
  });
  const now = new Date();
  const at = now.toISOString();
  refuseOutsideWindow(env, order, at);
  const id = newId("ret", now.getTime());
  const created = toReturn(
    {
      id,
      orderId,
      merchantId: order.merchantId,
      customerId,
      status: "requested",
      reason,
      rejectionReason: null,
      restock: null,
      refundId: null,
      decidedAt: null,
      createdAt: at,
      updatedAt: at,
    },
    [...lines].sort((a, b) => a.position - b.position),
  );
  const args = { id, order: orderId, customer: customerId, reason, lines: JSON.stringify(lines), at };
  const named = `json_each(:lines) j
    JOIN order_lines l ON l.order_id = :order AND l.position = json_extract(j.value, '$.position')`;
  const results = await db.$client.batch(
    [
      {
        sql: `INSERT INTO returns (id, order_id, merchant_id, customer_id, status, reason, created_at, updated_at)
              SELECT :id, o.id, o.merchant_id, o.owner_id, 'requested', :reason, :at, :at FROM orders o
              WHERE o.id = :order AND o.owner_id = :customer
              AND o.status IN (${returnable.map((s) => `'${s}'`).join(", ")})
              AND :at <= ${returnWindowEndSql(env)}
              AND NOT EXISTS (
                SELECT 1 FROM ${named} WHERE json_extract(j.value, '$.quantity') + ${unitsTaken} > l.quantity
              )`,
        args,
      },
      {
        sql: `INSERT INTO return_lines (return_id, order_id, position, quantity)
              SELECT :id, :order, l.position, json_extract(j.value, '$.quantity') FROM ${named}
              WHERE EXISTS (SELECT 1 FROM returns WHERE id = :id)`,
        args,
      },
      ...returnEvent("return.requested", created, sql`true`, now),
    ],
    "write",
  );
  kickDispatchers(results);
  if ((results[0]?.rowsAffected ?? 0) === 1) return created;
  // Not written: read again why (the decision itself was the conditional insert's).
  const latest = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (latest) refuseOutsideWindow(env, latest, at);
  throw new ProblemError("return_exceeds_order", "More units than the order lines have left to return.", {
    errors: [{ path: "/lines", message: "more than the quantity left to return" }],
  });
}

function refuseOutsideWindow(env: Env, order: typeof orders.$inferSelect, at: string): void {
  if (order.deliveredAt === null || !returnable.includes(order.status)) {
    throw new ProblemError(
      "conflict",
      `Order ${order.id} is ${order.status}${order.deliveredAt === null ? " and not delivered" : ""}; only a delivered order's lines can be returned.`,
    );
  }
  const closes = new Date(Date.parse(order.deliveredAt) + returnWindowDays(env) * 86_400_000).toISOString();
  if (at > closes) {
    throw new ProblemError("return_window_closed", `The return window of order ${order.id} closed at ${closes}.`);
  }
}
