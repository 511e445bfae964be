// Orders for the payment and refund tests: checked out through the API with either provider, and paid (sandbox).

import { shopper } from "./callers.ts";
import { call, createSkus, key } from "./helpers.ts";

export interface Payment {
  id: string;
  provider: string;
  status: string;
  clientSecret: string | null;
  amount: { amount: number; currency: string };
}
export interface Order {
  id: string;
  status: string;
  merchantId: string;
  totals: { total: { amount: number; currency: string } };
  payment: Payment | null;
  fulfilledAt: string | null;
  deliveredAt: string | null;
}
export interface Outcome {
  payment: { id: string; status: string };
  delivered: boolean;
  webhook: { signature: string; body: string };
}

/** A cart over fresh SKUs (one line per price, `quantity` of each, `stock` units each), ready to check out. */
export async function cartOf(who: string, options: { prices?: number[]; quantity?: number; stock?: number } = {}) {
  const { skuIds } = await createSkus({ prices: options.prices ?? [12_000], stock: options.stock ?? 5 });
  const s = shopper(who);
  const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
  for (const skuId of skuIds) {
    await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: { skuId, quantity: options.quantity ?? 1 } });
  }
  return { cartId: cart.id, skuIds };
}

export const checkout = (who: string, cartId: string, body?: unknown, idempotencyKey = key()) =>
  call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper(who), key: idempotencyKey, body });

/** An order awaiting payment (its payment opened with `provider`, default the deployment's). */
export async function unpaidOrder(
  who: string,
  options: Parameters<typeof cartOf>[1] & { provider?: "sandbox" | "stripe" } = {},
) {
  const { cartId, skuIds } = await cartOf(who, options);
  const res = await checkout(who, cartId, options.provider ? { paymentProvider: options.provider } : undefined);
  if (res.status !== 201) throw new Error(`checkout: ${res.status} ${await res.text()}`);
  const order = await res.json<Order>();
  return { order, paymentId: order.payment?.id ?? "", sku: skuIds[0] ?? "", skuIds, cartId };
}

export const sandbox = (paymentId: string, who: string, body: unknown, idempotencyKey = key()) =>
  call("POST", `/v1/payments/${paymentId}/sandbox`, { headers: shopper(who), key: idempotencyKey, body });

/** A sandbox order, paid. */
export async function paidOrder(who: string, options: Parameters<typeof cartOf>[1] = {}) {
  const unpaid = await unpaidOrder(who, options);
  const res = await sandbox(unpaid.paymentId, who, { outcome: "succeed" });
  if (res.status !== 200) throw new Error(`sandbox: ${res.status} ${await res.text()}`);
  return unpaid;
}

export const orderOf = async (orderId: string, who: string) =>
  (await call("GET", `/v1/orders/${orderId}`, { headers: shopper(who) })).json<Order>();
