// commission.payable: when an order's commissions become payable (returns/return-window.ts), its merchant is told
// once per credited line still owed something, by the order's OrderDeadlines alarm (armed at payment for the
// earliest possible moment, then looking again hourly while undelivered). Each event carries a dedupe key.
// Design: docs/design/order-deadlines.md#the-modes
import { sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { orderLivemode, rawStatements, webhookEvent } from "#shared/webhook-events.ts";
import { payableAtSql, returnWindowDays } from "../returns/return-window.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

const RECHECK_MS = 3_600_000;

/** After the order is paid: the alarm that will release its commissions (idempotent; the earliest time wins). */
export async function armCommissionRelease(env: Env, orderId: string, paidAt: Date): Promise<void> {
  const earliest = paidAt.getTime() + returnWindowDays(env) * 86_400_000;
  await env.ORDER_DEADLINES.getByName(orderId).armCommissions(orderId, earliest);
}

/** Tells the merchant of the order's payable commissions if their time has come; else when to look again. */
export async function releaseCommissions({
  env,
  db,
  orderId,
}: {
  env: Env;
  db: Database;
  orderId: string;
}): Promise<number | null> {
  const { rows } = await db.$client.execute({
    sql: `SELECT e.id, e.position, e.creator_id, e.merchant_id, e.currency, e.rate_bps, e.amount AS earned,
            (SELECT -coalesce(sum(r.amount), 0) FROM commission_entries r
             WHERE r.order_id = e.order_id AND r.position = e.position AND r.kind = 'reversal') AS reversed,
            ${payableAtSql(env)} AS payable_at, o.delivered_at
          FROM commission_entries e JOIN orders o ON o.id = e.order_id
          WHERE e.order_id = ? AND e.kind = 'earned' ORDER BY e.position`,
    args: [orderId],
  });
  const first = rows[0];
  if (!first || first.payable_at === null) return null;
  const payableAt = String(first.payable_at);
  const now = Date.now();
  if (now < Date.parse(payableAt)) {
    return first.delivered_at === null ? Math.min(Date.parse(payableAt), now + RECHECK_MS) : Date.parse(payableAt);
  }
  const at = new Date(now);
  const statements = rows.flatMap((row) => {
    const earned = Number(row.earned);
    const reversed = Number(row.reversed);
    if (earned - reversed <= 0) return [];
    const money = (amount: number) => ({ amount, currency: String(row.currency) });
    const data = {
      id: String(row.id),
      object: "commission",
      orderId,
      position: Number(row.position),
      creatorId: String(row.creator_id),
      merchantId: String(row.merchant_id),
      rateBps: Number(row.rate_bps),
      earned: money(earned),
      reversed: money(reversed),
      amount: money(earned - reversed),
      status: "payable",
      payableAt,
    };
    return rawStatements(
      webhookEvent({
        type: "commission.payable",
        at,
        dedupeKey: `commission.payable:${data.id}`,
        source: sql`SELECT ${JSON.stringify(data)} AS data, NULL AS sequence`,
        merchants: sql`SELECT ${data.merchantId} AS merchant_id`,
        livemode: orderLivemode(data.orderId),
      }),
    );
  });
  if (statements.length > 0) kickDispatchers(await db.$client.batch(statements, "write"));
  return null;
}
