// A session's GMV: what its attributed order lines sold (quantity × unit price) in orders that are paid, fulfilled
// or delivered, one figure per currency (an order has one currency; currencies are never converted or added up).
// Orders can be paid after the stream, so the replay computes it on read; the end of the session stores it too.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { type Currency, money } from "#shared/money.ts";
import { orderLines, orders } from "#shared/schema.ts";

export interface Gmv {
  amount: number;
  currency: Currency;
}

export function gmvQuery(db: Database, sessionId: string) {
  return db
    .select({ currency: orders.currency, amount: sql<number>`SUM(${orderLines.quantity} * ${orderLines.unitAmount})` })
    .from(orderLines)
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .where(and(eq(orderLines.liveSessionId, sessionId), inArray(orders.status, ["paid", "fulfilled", "delivered"])))
    .groupBy(orders.currency)
    .orderBy(asc(orders.currency));
}

// Orders are created in one of the platform's currencies (carts check it).
export const toGmv = (rows: { currency: string; amount: number }[]): Gmv[] =>
  rows.map((r) => money(r.amount, r.currency));
