// Test and live are two worlds: a request of one mode never sees or touches the other's carts, orders, payments,
// webhook endpoints or figures (404, as another tenant's); the sandbox exists only in test mode, and only with its
// secret; a sandbox event never pays a live order; an order's webhook events go only to endpoints of its mode.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { type Actor, encodePrincipal, type Mode, PRINCIPAL_HEADER, scopes } from "#shared/principal.ts";
import { stripeSettings } from "../../../workers/checkout/src/config.ts";
import { app } from "../../../workers/checkout/src/index.ts";
import { shopperId } from "./callers.ts";
import { call, createSkus, key, newMerchant, stockOf } from "./helpers.ts";
import { type Order, type Outcome, orderOf, sandbox, unpaidOrder } from "./orders.ts";
import { stripeEvent } from "./returns-helpers.ts";
import { createEndpoint, deliveriesOf, uniqueName } from "./webhooks-helpers.ts";

interface Problem {
  code: string;
  status: number;
  errors?: { path: string; message: string }[];
}

const principal = (actor: Actor, storefront: { keyId: string; merchantId: string; mode: Mode } | null) => ({
  [PRINCIPAL_HEADER]: encodePrincipal({ actor, storefront }),
});
/** A shopper whose session was opened through a publishable key of `mode`. */
const shopperIn = (mode: Mode, who: string, merchantId = "mer_any") =>
  principal(
    { type: "shopper", shopperId: shopperId(who), sessionId: "ses_test" },
    { keyId: `key_${mode}`, merchantId, mode },
  );
const merchantIn = (mode: Mode, merchantId: string) =>
  principal({ type: "merchant", merchantId, keyId: `key_${mode}`, scopes: [...scopes], mode }, null);

/** Moves an order (and its cart and payments) to live mode, as if it had been placed there. */
async function makeLive(orderId: string): Promise<void> {
  const db = database(env).$client;
  await db.batch([
    { sql: "UPDATE orders SET livemode = 1 WHERE id = ?", args: [orderId] },
    { sql: "UPDATE payments SET livemode = 1 WHERE order_id = ?", args: [orderId] },
    { sql: "UPDATE carts SET livemode = 1 WHERE id = (SELECT cart_id FROM orders WHERE id = ?)", args: [orderId] },
  ]);
}

const statusOf = async (orderId: string) =>
  String(
    (await database(env).$client.execute({ sql: "SELECT status FROM orders WHERE id = ?", args: [orderId] })).rows[0]
      ?.status,
  );

describe("the sandbox in live mode", () => {
  it("a live-mode checkout naming sandbox is 400 sandbox_in_live_mode at /paymentProvider; with no live provider 409; nothing is taken", async () => {
    const { skuIds } = await createSkus({ prices: [5000], stock: 3 });
    const skuId = skuIds[0] ?? "";
    const live = shopperIn("live", "mode-live-1");
    const cart = await (await call("POST", "/v1/carts", { headers: live })).json<{ id: string; livemode: boolean }>();
    expect(cart.livemode).toBe(true);
    expect((await call("POST", `/v1/carts/${cart.id}/lines`, { headers: live, body: { skuId } })).status).toBe(200);

    const named = await call("POST", `/v1/carts/${cart.id}/checkout`, {
      headers: live,
      key: key(),
      body: { paymentProvider: "sandbox" },
    });
    expect(named.status).toBe(400);
    const problem = await named.json<Problem>();
    expect(problem.code).toBe("sandbox_in_live_mode");
    expect(problem.errors?.[0]?.path).toBe("/paymentProvider");

    // No provider named: live mode's default is Stripe, whose live keys this deployment does not have.
    const unnamed = await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: live, key: key() });
    expect(unnamed.status).toBe(409);
    expect((await unnamed.json<Problem>()).code).toBe("payment_provider_disabled");

    expect(await stockOf(skuId)).toBe(3);
    const orders = await database(env).$client.execute({
      sql: "SELECT 1 FROM orders WHERE cart_id = ?",
      args: [cart.id],
    });
    expect(orders.rows).toHaveLength(0);
  });

  it("a sandbox-signed success never pays an order of live mode", async () => {
    const { order, paymentId } = await unpaidOrder("mode-pay-1");
    const signed = await (
      await sandbox(paymentId, "mode-pay-1", { outcome: "succeed", deliver: false })
    ).json<Outcome>();
    await makeLive(order.id);
    const res = await call("POST", "/v1/webhooks/sandbox", {
      headers: { "x-sandbox-signature": signed.webhook.signature },
      body: JSON.parse(signed.webhook.body),
    });
    expect(res.status).toBe(200);
    expect(await statusOf(order.id)).toBe("pending_payment");
    const payment = await database(env).$client.execute({
      sql: "SELECT status FROM payments WHERE id = ?",
      args: [paymentId],
    });
    expect(payment.rows[0]?.status).toBe("requires_payment");
  });
});

describe("Stripe per mode", () => {
  it("test mode takes only a Stripe test key, live mode only a live one", () => {
    const pair = (key: string) => ({ STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRET: "whsec_t" });
    const livePair = (key: string) => ({ STRIPE_LIVE_SECRET_KEY: key, STRIPE_LIVE_WEBHOOK_SECRET: "whsec_l" });
    expect(stripeSettings(pair("sk_test_a"), "test")?.secretKey).toBe("sk_test_a");
    expect(stripeSettings(pair("sk_live_a"), "test")).toBeNull();
    expect(stripeSettings(pair("sk_test_a"), "live")).toBeNull();
    expect(stripeSettings(livePair("sk_live_b"), "live")?.secretKey).toBe("sk_live_b");
    expect(stripeSettings(livePair("rk_test_b"), "live")).toBeNull();
  });

  it("a test-mode Stripe event never pays an order of live mode", async () => {
    const { order, paymentId } = await unpaidOrder("mode-stripe-1", { provider: "stripe" });
    await makeLive(order.id);
    expect((await stripeEvent("payment_intent.succeeded", paymentId)).status).toBe(200);
    expect(await statusOf(order.id)).toBe("pending_payment");
  });
});

describe("the sandbox without SANDBOX_WEBHOOK_SECRET", () => {
  it("is off: its webhook and its outcome route answer 409 payment_provider_disabled and no order moves", async () => {
    const { order, paymentId } = await unpaidOrder("mode-off-1");
    const signed = await (
      await sandbox(paymentId, "mode-off-1", { outcome: "succeed", deliver: false })
    ).json<Outcome>();
    const off = { ...env, SANDBOX_WEBHOOK_SECRET: "" };
    const webhook = await app.request(
      "/v1/webhooks/sandbox",
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-sandbox-signature": signed.webhook.signature },
        body: signed.webhook.body,
      },
      off,
    );
    expect(webhook.status).toBe(409);
    expect(webhook.headers.get("content-type")).toContain("application/problem+json");
    expect((await webhook.json<Problem>()).code).toBe("payment_provider_disabled");
    const outcome = await app.request(
      `/v1/payments/${paymentId}/sandbox`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key(), ...shopperIn("test", "mode-off-1") },
        body: JSON.stringify({ outcome: "succeed" }),
      },
      off,
    );
    expect(outcome.status).toBe(409);
    expect((await outcome.json<Problem>()).code).toBe("payment_provider_disabled");
    expect(await statusOf(order.id)).toBe("pending_payment");
  });
});

describe("isolation between modes", () => {
  it("carts: a shopper's live cart is 404 to the same shopper in test mode, and a test cart in live mode", async () => {
    const cart = await (await call("POST", "/v1/carts", { headers: shopperIn("live", "mode-cart-1") })).json<{
      id: string;
    }>();
    expect((await call("GET", `/v1/carts/${cart.id}`, { headers: shopperIn("test", "mode-cart-1") })).status).toBe(404);
    const live = await call("GET", `/v1/carts/${cart.id}`, { headers: shopperIn("live", "mode-cart-1") });
    expect(live.status).toBe(200);
    expect((await live.json<{ livemode: boolean }>()).livemode).toBe(true);
    // And the other way: a test cart is 404 in live mode, to read or to change.
    const test = await (await call("POST", "/v1/carts", { headers: shopperIn("test", "mode-cart-1") })).json<{
      id: string;
      livemode: boolean;
    }>();
    expect(test.livemode).toBe(false);
    expect((await call("GET", `/v1/carts/${test.id}`, { headers: shopperIn("live", "mode-cart-1") })).status).toBe(404);
    const { skuIds } = await createSkus({ prices: [1000], stock: 2 });
    const add = await call("POST", `/v1/carts/${test.id}/lines`, {
      headers: shopperIn("live", "mode-cart-1"),
      body: { skuId: skuIds[0] },
    });
    expect(add.status).toBe(404);
    expect(await stockOf(skuIds[0] ?? "")).toBe(2);
  });

  it("orders and payments: each mode's key reads and lists only its own mode's; the other's is 404", async () => {
    const merchant = await newMerchant();
    const { skuIds } = await createSkus({ prices: [3000, 4000], stock: 5, owner: merchant });
    const placed: Order[] = [];
    for (const skuId of skuIds) {
      const s = shopperIn("test", "mode-iso-1", merchant);
      const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
      await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: { skuId } });
      const res = await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: s, key: key() });
      expect(res.status).toBe(201);
      placed.push(await res.json<Order>());
    }
    const [testOrder, liveOrder] = placed as [Order, Order];
    await makeLive(liveOrder.id);

    const get = (path: string, headers: Record<string, string>) => call("GET", path, { headers });
    expect((await get(`/v1/orders/${testOrder.id}`, merchantIn("live", merchant))).status).toBe(404);
    expect((await get(`/v1/orders/${testOrder.id}`, merchantIn("test", merchant))).status).toBe(200);
    expect((await get(`/v1/orders/${liveOrder.id}`, merchantIn("test", merchant))).status).toBe(404);
    expect((await get(`/v1/orders/${liveOrder.id}`, shopperIn("test", "mode-iso-1"))).status).toBe(404);
    const live = await get(`/v1/orders/${liveOrder.id}`, merchantIn("live", merchant));
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ livemode: true, payment: { livemode: true } });
    // Nor can the other mode act on it.
    const cancel = await call("POST", `/v1/orders/${liveOrder.id}/cancel`, { headers: merchantIn("test", merchant) });
    expect(cancel.status).toBe(404);
    expect(await statusOf(liveOrder.id)).toBe("pending_payment");

    const listed = async (mode: Mode) =>
      (await (await get("/v1/orders", merchantIn(mode, merchant))).json<{ data: Order[] }>()).data.map((o) => o.id);
    expect(await listed("test")).toEqual([testOrder.id]);
    expect(await listed("live")).toEqual([liveOrder.id]);

    const livePayment = liveOrder.payment?.id ?? "";
    expect((await get(`/v1/payments/${livePayment}`, merchantIn("test", merchant))).status).toBe(404);
    expect((await get(`/v1/payments/${livePayment}`, merchantIn("live", merchant))).status).toBe(200);
    expect((await get(`/v1/payments/${testOrder.payment?.id}`, merchantIn("live", merchant))).status).toBe(404);

    // A caller with no credential has no mode: it is told to bring a credential, whatever mode the id is of.
    for (const path of [`/v1/orders/${liveOrder.id}`, `/v1/orders/${testOrder.id}`, `/v1/payments/${livePayment}`]) {
      expect((await get(path, {})).status, path).toBe(401);
    }
  });

  it("webhook endpoints: each mode's are its own, and an order's events go only to its mode's, with livemode in the body", async () => {
    const merchant = await newMerchant();
    const name = uniqueName();
    const eventTypes = ["order.created", "order.cancelled"];
    const testEndpoint = await createEndpoint(merchant, `${name}-test`, { eventTypes });
    const created = await call("POST", "/v1/webhook-endpoints", {
      headers: merchantIn("live", merchant),
      body: { url: testEndpoint.url.replace(`${name}-test`, `${name}-live`), eventTypes },
    });
    expect(created.status).toBe(201);
    const liveEndpoint = await created.json<{ id: string; livemode: boolean }>();
    expect(liveEndpoint.livemode).toBe(true);

    const get = (id: string, mode: Mode) =>
      call("GET", `/v1/webhook-endpoints/${id}`, { headers: merchantIn(mode, merchant) });
    expect((await get(liveEndpoint.id, "test")).status).toBe(404);
    expect((await get(testEndpoint.id, "live")).status).toBe(404);
    expect((await get(liveEndpoint.id, "live")).status).toBe(200);
    const listed = async (mode: Mode) =>
      (
        await (
          await call("GET", "/v1/webhook-endpoints", { headers: merchantIn(mode, merchant) })
        ).json<{
          data: { id: string }[];
        }>()
      ).data.map((e) => e.id);
    expect(await listed("test")).toEqual([testEndpoint.id]);
    expect(await listed("live")).toEqual([liveEndpoint.id]);

    // A test-mode order: told to the test endpoint only, `livemode: false` in the signed body.
    const { skuIds } = await createSkus({ prices: [2500], stock: 5, owner: merchant });
    const s = shopperIn("test", "mode-hook-1", merchant);
    const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
    await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: { skuId: skuIds[0] } });
    expect((await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: s, key: key() })).status).toBe(201);
    const toTest = await deliveriesOf(testEndpoint.id);
    expect(toTest).toHaveLength(1);
    expect(await deliveriesOf(liveEndpoint.id)).toEqual([]);
    const message = await database(env).$client.execute({
      sql: "SELECT livemode, payload FROM webhook_messages WHERE id = ?",
      args: [toTest[0]?.message_id ?? ""],
    });
    expect(Number(message.rows[0]?.livemode)).toBe(0);
    expect(JSON.parse(String(message.rows[0]?.payload))).toMatchObject({ type: "order.created", livemode: false });

    // A live order's event (its cancellation): only the live endpoint, `livemode: true`.
    const live = await unpaidOrder("mode-hook-2");
    await makeLive(live.order.id);
    await database(env).$client.execute({
      sql: "UPDATE orders SET merchant_id = ? WHERE id = ?",
      args: [merchant, live.order.id],
    });
    const cancelled = await call("POST", `/v1/orders/${live.order.id}/cancel`, {
      headers: merchantIn("live", merchant),
    });
    expect(cancelled.status).toBe(200);
    const liveDeliveries = await deliveriesOf(liveEndpoint.id);
    expect(liveDeliveries).toHaveLength(1);
    const liveMessage = await database(env).$client.execute({
      sql: "SELECT payload FROM webhook_messages WHERE id = ?",
      args: [liveDeliveries[0]?.message_id ?? ""],
    });
    expect(JSON.parse(String(liveMessage.rows[0]?.payload))).toMatchObject({
      type: "order.cancelled",
      livemode: true,
      data: { id: live.order.id },
    });
    expect(await deliveriesOf(testEndpoint.id)).toHaveLength(1);
  });

  it("figures: a test-mode sale counts in the merchant's test figures only; a key reads only its own mode's", async () => {
    const merchant = await newMerchant();
    const { skuIds } = await createSkus({ prices: [7000], stock: 5, owner: merchant });
    const who = "mode-fig-1";
    const s = shopperIn("test", who, merchant);
    const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
    await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: { skuId: skuIds[0] } });
    const order = await (await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: s, key: key() })).json<Order>();
    expect((await sandbox(order.payment?.id ?? "", who, { outcome: "succeed" })).status).toBe(200);
    expect((await orderOf(order.id, who)).status).toBe("paid");

    const figures = async (mode: Mode, query = "") => {
      const res = await call("GET", `/v1/analytics/merchants/me${query}`, { headers: merchantIn(mode, merchant) });
      return { status: res.status, body: await res.json<{ totals: { orders: number } }>() };
    };
    expect((await figures("test")).body.totals.orders).toBe(1);
    expect((await figures("live")).body.totals.orders).toBe(0);
    expect((await figures("test", "?mode=live")).status).toBe(403);
  });
});
