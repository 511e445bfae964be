// Fixtures for the refund tests: a refund as the API shows it, a pre-sale order paid by Stripe (the fake), and
// what a refund left behind (the Stripe requests, the merchant's refunded figure, a part's Stripe refund id).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { database } from "#shared/db.ts";
import { stripeSettings } from "../../../workers/checkout/src/config.ts";
import { asMerchant, shopper } from "./callers.ts";
import { call, cny, key } from "./helpers.ts";
import { balanceWindow, newPresale, type PresaleOrder, readOrder } from "./presales-helpers.ts";
import { stripeEvent, stripeRefundsAnswer } from "./returns-helpers.ts";

export interface Part {
  paymentId: string;
  provider: string;
  amount: { amount: number };
  status: string;
  failureReason: string | null;
}
export interface Refund {
  id: string;
  status: string;
  paymentId: string;
  amount: { amount: number };
  failureReason: string | null;
  lines: { position: number; quantity: number; amount: { amount: number } }[];
  payments: Part[];
}

export const parts = (refund: Refund) => refund.payments.map((p) => [p.paymentId, p.amount.amount, p.status]);

/** The parts of a refund of one pre-sale unit (paid 100.00 + 50.00): the balance's 50.00 first, then the deposit's. */
export const unitParts = (paid: { balanceId: string; depositId: string }, balance: string, deposit = balance) => [
  [paid.balanceId, 5_000, balance],
  [paid.depositId, 10_000, deposit],
];

/** The same, both payments taken by Stripe (the fake), confirmed by their webhooks. */
export async function paidByStripe(who: string) {
  const presale = await newPresale();
  const placed = await call("POST", `/v1/presales/${presale.id}/orders`, {
    headers: shopper(who),
    body: { quantity: 1, paymentProvider: "stripe" },
    key: key(),
  });
  expect(placed.status, await placed.clone().text()).toBe(201);
  const { order, depositPayment } = await placed.json<PresaleOrder>();
  expect((await stripeEvent("payment_intent.succeeded", depositPayment.id)).status).toBe(200);
  await balanceWindow(order.id, "open");
  const opened = await call("POST", `/v1/presales/${presale.id}/orders/${order.id}/balance`, {
    headers: shopper(who),
    body: { paymentProvider: "stripe" },
    key: key(),
  });
  expect(opened.status, await opened.clone().text()).toBe(201);
  const balanceId = (await opened.json<PresaleOrder>()).balancePayment?.id ?? "";
  expect((await stripeEvent("payment_intent.succeeded", balanceId)).status).toBe(200);
  expect((await readOrder(presale.id, order.id, who)).order.status).toBe("paid");
  return { presale, orderId: order.id, depositId: depositPayment.id, balanceId };
}

export const refund = (orderId: string, merchant: string, body: unknown, idempotencyKey = key()) =>
  call("POST", `/v1/orders/${orderId}/refunds`, { headers: asMerchant(merchant), body, key: idempotencyKey });

/** A refund the API makes (201, whatever became of it at the provider). */
export async function refundMade(orderId: string, merchant: string, body: unknown, idempotencyKey = key()) {
  const res = await refund(orderId, merchant, body, idempotencyKey);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Refund>();
}

/** A one-unit pre-sale order paid by Stripe, refunded whole while Stripe gives `answer` to the balance's part. */
export async function pendingPresaleRefund(who: string, answer: "pending" | "lost", times: number) {
  const paid = await paidByStripe(who);
  await stripeRefundsAnswer(answer, { "metadata[payment_id]": paid.balanceId }, times);
  const made = await refundMade(paid.orderId, paid.presale.merchant, {});
  expect(made).toMatchObject({ status: "pending", amount: cny(15_000) });
  return { ...paid, made };
}

/** The refund as its merchant reads it now. */
export async function readRefund(orderId: string, merchant: string, refundId: string): Promise<Refund> {
  const res = await call("GET", `/v1/orders/${orderId}/refunds`, { headers: asMerchant(merchant) });
  const found = (await res.json<{ data: Refund[] }>()).data.find((r) => r.id === refundId);
  if (!found) throw new Error(`refund ${refundId} not listed`);
  return found;
}

/** The refund requests the fake Stripe received for the order. */
export const stripeRefunds = async (orderId: string) =>
  (
    await (
      await fetch(`${env.STRIPE_API_BASE}/_fake/requests`)
    ).json<{ path: string; idempotencyKey: string | null; fields: Record<string, string> }[]>()
  ).filter((r) => r.path === "/v1/refunds" && r.fields["metadata[order_id]"] === orderId);

/** The merchant's refunded figure in the daily analytics, all days. */
export async function refundedFigure(merchant: string): Promise<number> {
  const { rows } = await database(env).$client.execute({
    sql: `SELECT coalesce(sum(refunded_amount), 0) AS n FROM analytics_daily_money
          WHERE scope_kind = 'merchant' AND scope_id = ?`,
    args: [merchant],
  });
  return Number(rows[0]?.n);
}

/** Stripe's id of a part's refund, as recorded. */
export async function providerRefundId(refundId: string, paymentId: string): Promise<string> {
  const { rows } = await database(env).$client.execute({
    sql: "SELECT provider_refund_id FROM refund_payments WHERE refund_id = ? AND payment_id = ?",
    args: [refundId, paymentId],
  });
  return String(rows[0]?.provider_refund_id);
}

/** The Refunds the fake Stripe holds for the order's PaymentIntents (read through its API, as Stripe lists them). */
export async function stripeRefundObjects(orderId: string): Promise<{ id: string; amount: number; status: string }[]> {
  const intents = await (await fetch(`${env.STRIPE_API_BASE}/_fake/intents`)).json<
    { id: string; metadata: Record<string, string> }[]
  >();
  const found = [];
  for (const intent of intents.filter((i) => i.metadata.order_id === orderId)) {
    const res = await fetch(`${env.STRIPE_API_BASE}/v1/refunds?payment_intent=${intent.id}`, {
      headers: { authorization: `Bearer ${stripeSettings(env)?.secretKey}` },
    });
    found.push(...(await res.json<{ data: { id: string; amount: number; status: string }[] }>()).data);
  }
  return found;
}
