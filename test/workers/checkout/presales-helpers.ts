// Pre-sale test fixtures: a pre-sale over a fresh SKU of a fresh merchant (with a webhook endpoint listening for
// every order event, so the outbox records them), orders placed and paid through the API, time travel by moving a
// window or deadline into the past in the database, and the order's OrderDeadlines alarm run at once.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { database } from "#shared/db.ts";
import { hour, inMs, presaleTerms } from "../sale-terms.ts";
import { asMerchant, shopper } from "./callers.ts";
import { call, createSkus, key, newMerchant } from "./helpers.ts";
import { sandbox } from "./orders.ts";
import { createEndpoint, uniqueName } from "./webhooks-helpers.ts";

export interface Money {
  amount: number;
  currency: string;
}
export interface PresaleOrder {
  presaleId: string;
  order: { id: string; status: string; totals: { subtotal: Money; total: Money }; cancelReason: string | null };
  quantity: number;
  deposit: Money;
  deduction: Money;
  balance: Money;
  depositPayment: { id: string; status: string; amount: Money };
  balancePayment: { id: string; status: string; amount: Money } | null;
  releasedAt: string | null;
}

/** Price 200.00, deposit 100.00 deducting 150.00 (balance 50.00): deposits open now, the balance in two hours. */
export async function newPresale(options: { quantity?: number; stock?: number; perShopperLimit?: number } = {}) {
  const merchant = await newMerchant();
  await createEndpoint(merchant, uniqueName(), {
    eventTypes: [
      "order.created",
      "order.deposit_paid",
      "order.balance_due",
      "order.paid",
      "order.cancelled",
      "order.deposit_forfeited",
    ],
  });
  const { skuIds } = await createSkus({ prices: [20_000], stock: options.stock ?? 50, owner: merchant });
  const skuId = skuIds[0] ?? "";
  const res = await call("POST", "/v1/presales", {
    headers: asMerchant(merchant),
    body: presaleTerms(skuId, { quantity: options.quantity ?? 20, perShopperLimit: options.perShopperLimit ?? 2 }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const presale = await res.json<{ id: string }>();
  return { id: presale.id, merchant, skuId };
}

export const placeOrder = (presaleId: string, who: string, quantity = 1, idempotencyKey = key()) =>
  call("POST", `/v1/presales/${presaleId}/orders`, { headers: shopper(who), body: { quantity }, key: idempotencyKey });

export const payBalance = (presaleId: string, orderId: string, who: string, idempotencyKey = key()) =>
  call("POST", `/v1/presales/${presaleId}/orders/${orderId}/balance`, { headers: shopper(who), key: idempotencyKey });

export async function readOrder(presaleId: string, orderId: string, who: string): Promise<PresaleOrder> {
  const res = await call("GET", `/v1/presales/${presaleId}/orders/${orderId}`, { headers: shopper(who) });
  expect(res.status).toBe(200);
  return res.json<PresaleOrder>();
}

/** A placed order whose deposit the sandbox has taken. */
export async function depositPaid(presaleId: string, who: string, quantity = 1): Promise<PresaleOrder> {
  const res = await placeOrder(presaleId, who, quantity);
  expect(res.status, await res.clone().text()).toBe(201);
  const placed = await res.json<PresaleOrder>();
  expect((await sandbox(placed.depositPayment.id, who, { outcome: "succeed" })).status).toBe(200);
  return readOrder(presaleId, placed.order.id, who);
}

/** A new pre-sale (`newPresale`'s options) and `who`'s order of `quantity` whose deposit the sandbox has taken. */
export async function presaleWithDeposit(who: string, quantity = 1, options: Parameters<typeof newPresale>[0] = {}) {
  const presale = await newPresale(options);
  return { presale, ...(await depositPaid(presale.id, who, quantity)) };
}

const sqlRun = (sql: string, args: (string | number)[]) => database(env).$client.execute({ sql, args });

/** Time travel: the order's balance window opens now (`closed`: it opened three hours ago and has closed). */
export async function balanceWindow(orderId: string, state: "open" | "closed"): Promise<void> {
  const [start, end] = state === "open" ? [inMs(-60_000), inMs(hour)] : [inMs(-3 * hour), inMs(-60_000)];
  await sqlRun("UPDATE presale_orders SET balance_starts_at = ?, balance_ends_at = ? WHERE order_id = ?", [
    start,
    end,
    orderId,
  ]);
}

/** Time travel: the order's deposit deadline has passed. */
export const depositOverdue = (orderId: string) =>
  sqlRun("UPDATE orders SET payment_due_at = ? WHERE id = ?", [inMs(-1000), orderId]);

/** Runs the order's OrderDeadlines alarm now (true if one was armed). */
export const runAlarm = (orderId: string) => runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(orderId));

/** The webhook events the outbox recorded for the order, in order. */
export async function eventsOf(orderId: string): Promise<string[]> {
  const rows = await sqlRun(
    "SELECT type FROM webhook_messages WHERE json_extract(payload, '$.data.id') = ? ORDER BY sequence, created_at",
    [orderId],
  );
  return rows.rows.map((r) => String(r.type));
}

export async function paymentsOf(orderId: string): Promise<{ id: string; status: string; amount: number }[]> {
  const rows = await sqlRun("SELECT id, status, amount FROM payments WHERE order_id = ? ORDER BY id", [orderId]);
  return rows.rows.map((r) => ({ id: String(r.id), status: String(r.status), amount: Number(r.amount) }));
}

export async function ledgerSum(skuId: string): Promise<number> {
  const rows = await sqlRun("SELECT coalesce(sum(delta), 0) AS total FROM inventory_ledger WHERE sku_id = ?", [skuId]);
  return Number(rows.rows[0]?.total);
}

export async function presaleLeft(presaleId: string): Promise<number> {
  const res = await call("GET", `/v1/presales/${presaleId}`);
  expect(res.status).toBe(200);
  return (await res.json<{ left: number }>()).left;
}
