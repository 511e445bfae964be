// A flash-sale purchase end to end through the gateway, as a storefront makes it: a merchant's product and sale, a
// guest shopper session, a reservation, a cart, checkout, a sandbox payment whose webhooks arrive twice and out of
// order, the paid order; then a second order cancelled unpaid. Stock is checked to add up at every step.
import { describe, expect, it } from "vitest";
import { flashSaleTerms } from "../sale-terms.ts";
import { call, expectProblem, idempotencyKey, merchantWithSku, post, shopperSession } from "./helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Hold {
  id: string;
  status: string;
  quantity: number;
}
interface Order {
  id: string;
  status: string;
  lines: { holdId: string | null; unitPrice: Money; quantity: number }[];
  totals: { subtotal: Money; shipping: Money; total: Money };
  payment: { id: string; status: string; amount: Money };
}
interface SandboxResult {
  payment: { status: string };
  webhook: { signature: string; body: string };
}

describe("a flash-sale purchase through the gateway", () => {
  it("reserves, checks out, pays once whatever the webhooks do, and keeps stock adding up", async () => {
    const { secret, pk, product, skuId } = await merchantWithSku("限定口红 Limited lipstick", { price: 8900 });
    let res = await call("/v1/flash-sales", post(flashSaleTerms(skuId, { quantity: 5 }), secret));
    expect(res.status).toBe(201);
    const sale = await res.json<{ id: string; stockLeft: number }>();
    expect(sale.stockLeft).toBe(5);

    const shopper = await shopperSession(pk);
    const reserve = (body: unknown, key = idempotencyKey()) =>
      call(`/v1/flash-sales/${sale.id}/reservations`, post(body, { ...shopper, ...key }));

    // Bad quantities are 400 and take nothing.
    for (const quantity of [0, -1, 1.5, 3, "1"]) {
      const problem = await expectProblem(await reserve({ quantity }), 400, "validation_failed");
      expect(problem.errors?.[0]?.path).toBe("/quantity");
    }
    const key = idempotencyKey();
    res = await reserve({ quantity: 2 }, key);
    expect(res.status).toBe(201);
    const hold = await res.json<Hold>();
    expect(hold).toMatchObject({ status: "held", quantity: 2 });
    // The same key again is the same hold, not another.
    res = await reserve({ quantity: 2 }, key);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect((await res.json<Hold>()).id).toBe(hold.id);
    // The limit counts the hold: one more unit is refused.
    await expectProblem(await reserve({ quantity: 1 }), 409, "limit_exceeded");

    const stockLeft = async () =>
      (await (await call(`/v1/flash-sales/${sale.id}`, { headers: pk })).json<{ stockLeft: number }>()).stockLeft;
    expect(await stockLeft()).toBe(3);

    res = await call("/v1/carts", post({}, shopper));
    expect(res.status).toBe(201);
    const cartId = (await res.json<{ id: string }>()).id;
    res = await call(`/v1/carts/${cartId}/lines`, post({ skuId, flashSaleId: sale.id, holdId: hold.id }, shopper));
    expect(res.status).toBe(200);
    res = await call(`/v1/carts/${cartId}/checkout`, post({}, { ...shopper, ...idempotencyKey() }));
    expect(res.status).toBe(201);
    const order = await res.json<Order>();
    // 2 × 49.00 = 98.00, under the 99.00 free-shipping threshold: 10.00 shipping.
    expect(order).toMatchObject({
      status: "pending_payment",
      lines: [{ holdId: hold.id, quantity: 2, unitPrice: { amount: 4900, currency: "CNY" } }],
      totals: { subtotal: { amount: 9800 }, shipping: { amount: 1000 }, total: { amount: 10_800 } },
      payment: { status: "requires_payment", amount: { amount: 10_800, currency: "CNY" } },
    });

    // The provider's events, signed but not yet delivered: first "processing", then "succeeded".
    const outcome = async (value: "pending" | "succeed") => {
      const r = await call(
        `/v1/payments/${order.payment.id}/sandbox`,
        post({ outcome: value, deliver: false }, { ...shopper, ...idempotencyKey() }),
      );
      expect(r.status).toBe(200);
      return (await r.json<SandboxResult>()).webhook;
    };
    const processing = await outcome("pending");
    const succeeded = await outcome("succeed");
    const deliver = (webhook: SandboxResult["webhook"]) =>
      call("/v1/webhooks/sandbox", {
        method: "POST",
        headers: { "content-type": "application/json", "x-sandbox-signature": webhook.signature },
        body: webhook.body,
      });
    // The success arrives first, twice; the older "processing" arrives late and changes nothing.
    res = await deliver(succeeded);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    res = await deliver(succeeded);
    expect(await res.json()).toEqual({ received: true, duplicate: true });
    res = await deliver(processing);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    // A tampered delivery is refused: its signature no longer matches.
    res = await deliver({ ...succeeded, body: succeeded.body.replace("succeeded", "failed") });
    expect(res.status).toBe(401);

    const read = await (await call(`/v1/orders/${order.id}`, { headers: shopper })).json<Order>();
    expect(read).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    // The merchant sees it among its paid orders.
    const listed = await (await call("/v1/orders?status=paid", { headers: secret })).json<{ data: { id: string }[] }>();
    expect(listed.data.map((o) => o.id)).toEqual([order.id]);

    // A second shopper's order, cancelled unpaid, gives its units back to the sale.
    const other = await shopperSession(pk);
    res = await call(
      `/v1/flash-sales/${sale.id}/reservations`,
      post({ quantity: 1 }, { ...other, ...idempotencyKey() }),
    );
    const otherHold = await res.json<Hold>();
    res = await call("/v1/carts", post({}, other));
    const otherCart = (await res.json<{ id: string }>()).id;
    await call(`/v1/carts/${otherCart}/lines`, post({ skuId, flashSaleId: sale.id, holdId: otherHold.id }, other));
    res = await call(`/v1/carts/${otherCart}/checkout`, post({}, { ...other, ...idempotencyKey() }));
    const unpaid = await res.json<Order>();
    expect(await stockLeft()).toBe(2);
    res = await call(`/v1/orders/${unpaid.id}/cancel`, post({}, other));
    expect((await res.json<Order>()).status).toBe("cancelled");
    expect(await stockLeft()).toBe(3);

    // The SKU: 10 units, 5 moved into the sale; its ledger explains its stock exactly.
    const productNow = await call(`/v1/products/${product.id}`, { headers: secret });
    const sku = (await productNow.json<{ skus: { stock: number }[] }>()).skus[0] ?? { stock: Number.NaN };
    expect(sku.stock).toBe(5);
    const ledger = await (await call(`/v1/skus/${skuId}/inventory-adjustments`, { headers: secret })).json<{
      data: { delta: number; reason: string }[];
    }>();
    expect(ledger.data.reduce((sum, entry) => sum + entry.delta, 0)).toBe(sku.stock);
  }, 60_000);
});
