// The Stripe provider against the fake Stripe (test/stripe-fake.ts) on its documented wire format: PaymentIntents
// opened before the order is written, signed webhooks applied once and in order, refunds, and Stripe failing.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { app } from "../../../workers/checkout/src/index.ts";
import { asMerchant, merchantId, shopper } from "./callers.ts";
import { call, createSale, key, reserve, stockOf } from "./helpers.ts";
import { cartOf, checkout, type Order, orderOf, unpaidOrder } from "./orders.ts";
import { stripeFake, stripeRefundsAnswer } from "./returns-helpers.ts";

interface Signed {
  body: string;
  signature: string;
}
interface Refund {
  id: string;
  status: string;
  amount: { amount: number; currency: string };
  reason: string | null;
  failureReason: string | null;
}

/** The fake moves `object` (a Stripe id, or our payment or refund id) and hands back the signed event. */
const emit = (type: string, object: string, extra: { status?: string; timestamp?: number } = {}) =>
  stripeFake<Signed>("events", { type, object, ...extra });

const deliver = (event: Partial<Signed>) =>
  exports.default.fetch(
    new Request("http://checkout/v1/webhooks/stripe", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(event.signature === undefined ? {} : { "stripe-signature": event.signature }),
      },
      body: event.body,
    }),
  );

const requests = (path: string) =>
  stripeFake<{ method: string; path: string; idempotencyKey: string | null; fields: Record<string, string> }[]>(
    "requests",
  ).then((all) => all.filter((r) => r.path === path));

const stripeOrder = (who: string, options: Parameters<typeof unpaidOrder>[1] = {}) =>
  unpaidOrder(who, { ...options, provider: "stripe" });

const paymentEvents = async (paymentId: string) =>
  Number(
    (
      await database(env).$client.execute({
        sql: "SELECT count(*) AS n FROM payment_events WHERE payment_id = ?",
        args: [paymentId],
      })
    ).rows[0]?.n,
  );

const refund = (orderId: string, body: unknown, idempotencyKey = key()) =>
  call("POST", `/v1/orders/${orderId}/refunds`, { headers: asMerchant(merchantId), key: idempotencyKey, body });

describe("Stripe payments", () => {
  it("opens a PaymentIntent before the order is written, keyed by the payment id; the shopper gets its clientSecret", async () => {
    const { order, paymentId } = await stripeOrder("st1", { prices: [3_000], quantity: 2 });
    // 2 × 3000 = 6000, below 9900: shipping 1000 → 7000 fen.
    expect(order).toMatchObject({ status: "pending_payment", totals: { total: { amount: 7_000, currency: "CNY" } } });
    expect(order.payment).toMatchObject({ provider: "stripe", status: "requires_payment" });
    expect(order.payment?.clientSecret).toMatch(/^pi_[0-9a-f]+_secret_[0-9a-f]+$/);
    const [created, ...more] = (await requests("/v1/payment_intents")).filter(
      (r) => r.fields["metadata[payment_id]"] === paymentId,
    );
    expect(more).toHaveLength(0);
    expect(created).toMatchObject({
      method: "POST",
      idempotencyKey: paymentId,
      fields: { amount: "7000", currency: "cny", "metadata[order_id]": order.id },
    });
    const payment = await call("GET", `/v1/payments/${paymentId}`, { headers: shopper("st1") });
    expect(await payment.json()).toMatchObject({ clientSecret: order.payment?.clientSecret });
  });

  it("a signed payment_intent.succeeded pays the order, once whatever the duplicates", async () => {
    const { order, paymentId } = await stripeOrder("st2");
    const succeeded = await emit("payment_intent.succeeded", paymentId);
    const first = await deliver(succeeded);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    expect(await orderOf(order.id, "st2")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    const again = await Promise.all(Array.from({ length: 5 }, () => deliver(succeeded)));
    for (const res of again) expect(await res.json()).toEqual({ received: true, duplicate: true });
    expect(await paymentEvents(paymentId)).toBe(1);
  });

  it("late and out-of-order deliveries converge on the intent's state at Stripe", async () => {
    const { order, paymentId } = await stripeOrder("st3");
    const processing = await emit("payment_intent.processing", paymentId);
    const succeeded = await emit("payment_intent.succeeded", paymentId);
    await deliver(succeeded);
    await deliver(processing);
    expect(await orderOf(order.id, "st3")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    expect(await paymentEvents(paymentId)).toBe(2);

    // processing then failed within the same second (same `created`): delivered in that order, the payment is
    // failed, because each event is applied as the intent stands at Stripe, not as the event found it.
    const other = await stripeOrder("st3b");
    const wasProcessing = await emit("payment_intent.processing", other.paymentId);
    const failed = await emit("payment_intent.payment_failed", other.paymentId);
    await deliver(wasProcessing);
    await deliver(failed);
    expect(await orderOf(other.order.id, "st3b")).toMatchObject({
      status: "pending_payment",
      payment: { status: "failed" },
    });

    // Each delivered as it happens, most likely within one second: `created` alone could not order them.
    const third = await stripeOrder("st3c");
    await deliver(await emit("payment_intent.processing", third.paymentId));
    expect(await orderOf(third.order.id, "st3c")).toMatchObject({ payment: { status: "processing" } });
    await deliver(await emit("payment_intent.payment_failed", third.paymentId));
    expect(await orderOf(third.order.id, "st3c")).toMatchObject({ payment: { status: "failed" } });
    await deliver(await emit("payment_intent.succeeded", third.paymentId));
    expect(await orderOf(third.order.id, "st3c")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
  });

  it("refuses a tampered, unsigned or too old event with 400, and nothing changes", async () => {
    const { order, paymentId } = await stripeOrder("st4");
    const succeeded = await emit("payment_intent.succeeded", paymentId);
    const tampered = { ...succeeded, body: succeeded.body.replace('"livemode":false', '"livemode":true') };
    const old = await emit("payment_intent.succeeded", paymentId, { timestamp: Math.floor(Date.now() / 1000) - 400 });
    for (const bad of [tampered, { body: succeeded.body }, old, { ...succeeded, signature: "t=1,v1=00" }]) {
      const res = await deliver(bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: "validation_failed",
        errors: [{ path: "/headers/stripe-signature" }],
      });
    }
    expect(await orderOf(order.id, "st4")).toMatchObject({
      status: "pending_payment",
      payment: { status: "requires_payment" },
    });
    expect(await paymentEvents(paymentId)).toBe(0);
  });

  it("acknowledges events it does not act on", async () => {
    const { paymentId } = await stripeOrder("st5");
    const res = await deliver(await emit("payment_intent.created", paymentId));
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    expect(await paymentEvents(paymentId)).toBe(0);
  });

  it("Stripe down at checkout: a 502 problem, nothing written, stock and the flash-sale hold intact", async () => {
    const sale = await createSale({ quantity: 10 });
    const hold = await (await reserve(sale.id, "st6", { quantity: 1 })).json<{ id: string }>();
    const { cartId, skuIds } = await cartOf("st6", { prices: [2_500], stock: 3 });
    await call("POST", `/v1/carts/${cartId}/lines`, {
      headers: shopper("st6"),
      body: { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id },
    });
    // Down for the SDK's first try and its one retry.
    await stripeFake("rules", {
      path: "/v1/payment_intents",
      match: { "metadata[cart_id]": cartId },
      status: 500,
      error: { type: "api_error", message: "An unknown error occurred" },
      times: 2,
    });
    const k = key();
    const down = await checkout("st6", cartId, { paymentProvider: "stripe" }, k);
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ code: "payment_provider_unavailable", requestId: expect.any(String) });
    const orders = await database(env).$client.execute({
      sql: "SELECT count(*) AS n FROM orders WHERE cart_id = ?",
      args: [cartId],
    });
    expect(Number(orders.rows[0]?.n)).toBe(0);
    expect(await stockOf(skuIds[0] ?? "")).toBe(3);
    const held = await call("GET", `/v1/flash-sales/${sale.id}/reservations/${hold.id}`, { headers: shopper("st6") });
    expect(await held.json()).toMatchObject({ status: "held" });

    // Stripe back: the same key runs again (a 5xx is not kept) and the order is made.
    const retried = await checkout("st6", cartId, { paymentProvider: "stripe" }, k);
    expect(retried.status).toBe(201);
    expect(await stockOf(skuIds[0] ?? "")).toBe(2);
  });

  it("cancels the PaymentIntent of an order refused as sold out after it was opened", async () => {
    const { cartId, skuIds } = await cartOf("st6b", { prices: [2_500], stock: 3, quantity: 2 });
    // Someone else buys two of the three units between the cart and the checkout.
    const other = await (await call("POST", "/v1/carts", { headers: shopper("st6c") })).json<{ id: string }>();
    await call("POST", `/v1/carts/${other.id}/lines`, {
      headers: shopper("st6c"),
      body: { skuId: skuIds[0], quantity: 2 },
    });
    expect((await checkout("st6c", other.id)).status).toBe(201);
    const res = await checkout("st6b", cartId, { paymentProvider: "stripe" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "sold_out" });
    const intents =
      await stripeFake<{ status: string; cancellation_reason?: string; metadata: Record<string, string> }[]>("intents");
    expect(intents.filter((intent) => intent.metadata.cart_id === cartId)).toEqual([
      expect.objectContaining({ status: "canceled", cancellation_reason: "abandoned" }),
    ]);
  });

  it("a provider not enabled is a 409 payment_provider_disabled; an unknown one a 400", async () => {
    const { cartId } = await cartOf("st7");
    const withoutStripe = { ...env, STRIPE_SECRET_KEY: "", STRIPE_WEBHOOK_SECRET: "" };
    const headers = { ...shopper("st7"), "idempotency-key": key(), "content-type": "application/json" };
    const res = await app.request(
      `/v1/carts/${cartId}/checkout`,
      { method: "POST", headers, body: JSON.stringify({ paymentProvider: "stripe" }) },
      withoutStripe,
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      code: "payment_provider_disabled",
      errors: [{ path: "/paymentProvider" }],
    });
    const webhook = await app.request("/v1/webhooks/stripe", { method: "POST", body: "{}" }, withoutStripe);
    expect(webhook.status).toBe(409);
    expect((await checkout("st7", cartId, { paymentProvider: "paypal" })).status).toBe(400);
  });
});

describe("Stripe refunds", () => {
  async function paidStripeOrder(who: string) {
    const unpaid = await stripeOrder(who, { prices: [20_000] });
    await deliver(await emit("payment_intent.succeeded", unpaid.paymentId));
    return unpaid;
  }

  it("refunds through Stripe keyed by the refund id; succeeded at once, the order is partially refunded", async () => {
    const { order } = await paidStripeOrder("sr1");
    const res = await refund(order.id, { amount: { amount: 5_000, currency: "CNY" }, reason: "damaged box" });
    expect(res.status).toBe(201);
    const made = await res.json<Refund>();
    expect(made).toMatchObject({ status: "succeeded", amount: { amount: 5_000, currency: "CNY" } });
    const sent = (await requests("/v1/refunds")).filter((r) => r.fields["metadata[refund_id]"] === made.id);
    expect(sent).toEqual([
      expect.objectContaining({ idempotencyKey: made.id, fields: expect.objectContaining({ amount: "5000" }) }),
    ]);
    expect(await orderOf(order.id, "sr1")).toMatchObject({ status: "partially_refunded" });
  });

  it("a pending refund is settled by its webhook, once", async () => {
    const { order } = await paidStripeOrder("sr2");
    await stripeRefundsAnswer("pending", { "metadata[order_id]": order.id });
    const made = await (await refund(order.id, {})).json<Refund>();
    expect(made).toMatchObject({ status: "pending", amount: { amount: 20_000 } });
    expect(await orderOf(order.id, "sr2")).toMatchObject({ status: "paid" });
    const settled = await emit("refund.updated", made.id, { status: "succeeded" });
    expect(await (await deliver(settled)).json()).toEqual({ received: true, duplicate: false });
    expect(await (await deliver(settled)).json()).toEqual({ received: true, duplicate: true });
    expect(await orderOf(order.id, "sr2")).toMatchObject({ status: "refunded" });
    const list = await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("sr2") });
    expect(await list.json()).toMatchObject({ data: [{ id: made.id, status: "succeeded" }], nextCursor: null });
  });

  it("charge.refunded settles the intent's refunds as Stripe has them, once", async () => {
    const { order, paymentId } = await paidStripeOrder("sr2b");
    await stripeRefundsAnswer("pending", { "metadata[order_id]": order.id });
    const first = await (await refund(order.id, { amount: { amount: 6_000, currency: "CNY" } })).json<Refund>();
    const second = await (await refund(order.id, { amount: { amount: 4_000, currency: "CNY" } })).json<Refund>();
    // At Stripe the first succeeds and the second fails; only charge.refunded is delivered.
    await emit("refund.updated", first.id, { status: "succeeded" });
    await emit("refund.updated", second.id, { status: "failed" });
    const charge = await emit("charge.refunded", paymentId);
    expect(await (await deliver(charge)).json()).toEqual({ received: true, duplicate: false });
    expect(await (await deliver(charge)).json()).toEqual({ received: true, duplicate: true });
    const list = await (await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("sr2b") })).json<{
      data: Refund[];
    }>();
    expect(list.data.map((r) => [r.amount.amount, r.status])).toEqual([
      [4_000, "failed"],
      [6_000, "succeeded"],
    ]);
    expect(await orderOf(order.id, "sr2b")).toMatchObject({ status: "partially_refunded" });
  });

  it("a refund Stripe refuses fails and gives its amount back; Stripe down leaves it pending for its recovery", async () => {
    const { order } = await paidStripeOrder("sr3");
    await stripeRefundsAnswer("disputed", { "metadata[order_id]": order.id }, 1);
    const refused = await (await refund(order.id, {})).json<Refund>();
    expect(refused).toMatchObject({ status: "failed", failureReason: "charge_disputed" });
    await stripeRefundsAnswer("unavailable", { "metadata[order_id]": order.id }, 2);
    // Stripe may have made a refund it could not answer for: the refund stays pending, holding its amount, until
    // its recovery alarm sends it again (refund-recovery.test.ts).
    const down = await refund(order.id, {});
    expect(down.status).toBe(201);
    expect(await down.json()).toMatchObject({ status: "pending", amount: { amount: 20_000 } });
    expect(await orderOf(order.id, "sr3")).toMatchObject({ status: "paid" });
    expect(await (await refund(order.id, {})).json()).toMatchObject({ code: "refund_exceeds_payment" });
  });

  it("a payment that succeeds for an order cancelled meanwhile is refunded in full, once", async () => {
    const { order, paymentId } = await stripeOrder("sr4", { prices: [4_200] });
    expect((await call("POST", `/v1/orders/${order.id}/cancel`, { headers: shopper("sr4") })).status).toBe(200);
    const succeeded = await emit("payment_intent.succeeded", paymentId);
    await deliver(succeeded);
    await deliver(succeeded);
    const after = await orderOf(order.id, "sr4");
    expect(after).toMatchObject<Partial<Order>>({ status: "cancelled" });
    expect(after.payment).toMatchObject({ status: "succeeded" });
    const list = await (await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("sr4") })).json<{
      data: Refund[];
    }>();
    // 4200 + shipping 1000.
    expect(list.data).toEqual([
      expect.objectContaining({
        status: "succeeded",
        reason: "order_cancelled",
        amount: { amount: 5_200, currency: "CNY" },
      }),
    ]);
    const sent = (await requests("/v1/refunds")).filter((r) => r.fields["metadata[order_id]"] === order.id);
    expect(sent).toHaveLength(1);
  });
});
