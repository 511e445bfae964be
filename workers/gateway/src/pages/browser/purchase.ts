// Buying, the way the API sells: a flash-sale unit is reserved first (a hold), then a cart with that one line is
// checked out into an order with a sandbox payment, which the sandbox provider confirms. Every write a retry could
// repeat carries its own Idempotency-Key.
import type { components } from "#shared/client/schema.d.ts";
import type { Api } from "./shopper.ts";

type CartLineInput = components["schemas"]["CartLineInput"];
type Hold = components["schemas"]["Hold"];
export type Order = components["schemas"]["Order"];

const idempotent = () => ({ "idempotency-key": crypto.randomUUID() });

/** Reserves one unit of a flash sale; waits in line (polling the hold) while the sale says to wait. */
export async function reserve(api: Api, flashSaleId: string, progress: (text: string) => void): Promise<Hold> {
  const reserved = await api.POST("/v1/flash-sales/{id}/reservations", {
    params: { path: { id: flashSaleId } },
    body: { quantity: 1, wait: true },
    headers: idempotent(),
  });
  if (!reserved.data) throw reserved.error;
  let hold = reserved.data;
  for (let polls = 0; hold.status === "waiting" && polls < 600; polls++) {
    progress(`排队中，前面还有 ${hold.position ?? "?"} 人`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = await api.GET("/v1/flash-sales/{id}/reservations/{holdId}", {
      params: { path: { id: flashSaleId, holdId: hold.id } },
    });
    if (!again.data) throw again.error;
    hold = again.data;
  }
  if (hold.status !== "held") throw new Error(`没有抢到：${hold.status}`);
  return hold;
}

/** A cart with one line, checked out and paid with the sandbox provider; the order as it stands after payment. */
export async function buy(api: Api, line: CartLineInput, progress: (text: string) => void): Promise<Order> {
  progress("正在下单…");
  const cart = await api.POST("/v1/carts", { body: {} });
  if (!cart.data) throw cart.error;
  const added = await api.POST("/v1/carts/{id}/lines", { params: { path: { id: cart.data.id } }, body: line });
  if (!added.data) throw added.error;
  const order = await api.POST("/v1/carts/{id}/checkout", {
    params: { path: { id: cart.data.id } },
    body: { paymentProvider: "sandbox" },
    headers: idempotent(),
  });
  if (!order.data) throw order.error;
  const payment = order.data.payment;
  if (!payment) throw new Error(`订单 ${order.data.number} 没有支付单`);
  progress("正在支付（沙盒）…");
  const paid = await api.POST("/v1/payments/{id}/sandbox", {
    params: { path: { id: payment.id } },
    body: { outcome: "succeed", deliver: true },
    headers: idempotent(),
  });
  if (!paid.data) throw paid.error;
  const confirmed = await api.GET("/v1/orders/{id}", { params: { path: { id: order.data.id } } });
  if (!confirmed.data) throw confirmed.error;
  return confirmed.data;
}
