import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeAttribution } from "#shared/attribution.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { demo } from "../../../dev/demo.ts";
import { asMerchant, guest, merchantId, otherMerchantId, shopper, shopperId } from "./callers.ts";
import {
  call,
  createSale,
  createSku,
  createSkus,
  key,
  ledgerOf,
  newCart,
  reserve,
  stockOf,
  taggedBy,
} from "./helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Cart {
  id: string;
  status: string;
  lines: {
    id: string;
    quantity: number;
    unitPrice: Money;
    amount: Money;
    hold: { status: string } | null;
    attribution: string | null;
  }[];
  totals: { subtotal: Money; shipping: Money; tax: Money; total: Money; discounts: unknown[] };
}
interface Order {
  id: string;
  number: string;
  status: string;
  customerId: string;
  lines: {
    skuId: string;
    quantity: number;
    unitPrice: Money;
    holdId: string | null;
    credit: { noteId: string | null; liveSessionId: string | null; creatorId: string | null } | null;
  }[];
  totals: { subtotal: Money; shipping: Money; total: Money };
  payment: { id: string; status: string; amount: Money } | null;
  cancelReason: string | null;
}

const creatorId = demo.creators[0]?.id ?? "";

async function productOf(skuId: string): Promise<string | undefined> {
  const rows = await database(env).$client.execute({ sql: "SELECT product_id FROM skus WHERE id = ?", args: [skuId] });
  return rows.rows[0]?.product_id as string | undefined;
}

async function addLine(cartId: string, headers: Record<string, string>, body: Record<string, unknown>) {
  return call("POST", `/v1/carts/${cartId}/lines`, { headers, body });
}

const checkout = (cartId: string, headers: Record<string, string>, idempotencyKey = key(), body?: unknown) =>
  call("POST", `/v1/carts/${cartId}/checkout`, { headers, key: idempotencyKey, body });

/** Moves the order's payment deadline into the past (as time would) and runs its timeout alarm. */
async function timeOut(orderId: string): Promise<void> {
  await database(env).$client.execute({
    sql: "UPDATE orders SET payment_due_at = ? WHERE id = ?",
    args: [new Date(Date.now() - 1000).toISOString(), orderId],
  });
  expect(await runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(orderId))).toBe(true);
}

describe("carts", () => {
  it("prices lines from the catalogue with structured totals and the shipping rule, for a guest", async () => {
    const { skuIds } = await createSkus({ prices: [3000, 4500], stock: 50 });
    const [a = "", b = ""] = skuIds;
    const g = guest();
    const cartId = await newCart(g);
    const { productId } = await createSkus({ prices: [1], stock: 1 });
    const { reference } = await taggedBy(productId);
    // A line of that product cannot carry a reference to another product.
    expect((await addLine(cartId, g, { skuId: a, attribution: reference })).status).toBe(400);
    const ownReference = (await taggedBy((await productOf(a)) ?? "")).reference;
    let res = await addLine(cartId, g, { skuId: a, quantity: 2, attribution: ownReference });
    expect(res.status).toBe(200);
    let cart = await res.json<Cart>();
    // 6000 < 9900: shipping 1000.
    expect(cart.totals).toEqual({
      subtotal: { amount: 6000, currency: "CNY" },
      discounts: [],
      shipping: { amount: 1000, currency: "CNY" },
      tax: { amount: 0, currency: "CNY" },
      total: { amount: 7000, currency: "CNY" },
    });
    expect(cart.lines[0]).toMatchObject({ id: a, quantity: 2, attribution: ownReference, hold: null });
    // The same SKU again adds to its line; a second SKU brings the subtotal over the free-shipping threshold.
    await addLine(cartId, g, { skuId: a });
    cart = await (await addLine(cartId, g, { skuId: b, quantity: 1 })).json<Cart>();
    expect(cart.lines.map((l) => [l.id, l.quantity])).toEqual([
      [a, 3],
      [b, 1],
    ]);
    expect(cart.totals.subtotal.amount).toBe(13_500);
    expect(cart.totals.shipping.amount).toBe(0);
    res = await call("PATCH", `/v1/carts/${cartId}/lines/${a}`, { headers: g, body: { quantity: 1 } });
    expect((await res.json<Cart>()).totals.subtotal.amount).toBe(7500);
    res = await call("DELETE", `/v1/carts/${cartId}/lines/${b}`, { headers: g });
    expect((await res.json<Cart>()).lines).toHaveLength(1);
    // Another storefront's guest, or nobody, cannot see it.
    expect((await call("GET", `/v1/carts/${cartId}`, { headers: guest("key_other") })).status).toBe(404);
    expect((await call("GET", `/v1/carts/${cartId}`)).status).toBe(401);
    expect((await call("GET", `/v1/carts/${cartId}`, { headers: shopper("c1") })).status).toBe(404);
  });

  it("keeps one merchant and one currency per cart and validates lines", async () => {
    const mine = await createSkus({ prices: [1000], stock: 5 });
    const theirs = await createSkus({ prices: [1000], stock: 5, owner: otherMerchantId });
    const usd = await createSkus({ prices: [1000], stock: 5, currency: "USD" });
    const s = shopper("c2");
    const cartId = await newCart(s);
    expect((await addLine(cartId, s, { skuId: mine.skuIds[0] })).status).toBe(200);
    expect((await addLine(cartId, s, { skuId: theirs.skuIds[0] })).status).toBe(409);
    expect((await addLine(cartId, s, { skuId: usd.skuIds[0] })).status).toBe(409);
    for (const body of [
      { skuId: mine.skuIds[0], quantity: 0 },
      { skuId: mine.skuIds[0], quantity: 1.5 },
      { skuId: mine.skuIds[0], attribution: "x".repeat(513) },
      { skuId: mine.skuIds[0], attribution: "attr_bm90ZQ.deadbeef" },
      { skuId: mine.skuIds[0], holdId: "hold_X" },
      { skuId: "prod_1" },
    ]) {
      expect((await addLine(cartId, s, body)).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await addLine(cartId, s, { skuId: "sku_01JZ0000000000000000009999" })).status).toBe(404);
  });
});

describe("POST /v1/carts/{id}/checkout", () => {
  it("creates one order and payment per key, taking stock once through the ledger", async () => {
    const { skuId: sku } = await createSku({ price: 5000, stock: 10 });
    const s = shopper("k1");
    const cartId = await newCart(s);
    await addLine(cartId, s, { skuId: sku, quantity: 3 });
    const k = key();
    const first = await checkout(cartId, s, k);
    expect(first.status).toBe(201);
    const order = await first.json<Order>();
    expect(order).toMatchObject({
      object: "order",
      status: "pending_payment",
      merchantId,
      customerId: "shp_TEST00000000k1",
      totals: { subtotal: { amount: 15_000 }, shipping: { amount: 0 }, total: { amount: 15_000 } },
      payment: { status: "requires_payment", amount: { amount: 15_000, currency: "CNY" }, provider: "sandbox" },
    });
    expect(order.number).toMatch(/^ZC-\d{8}-\d{6}$/);
    const again = await checkout(cartId, s, k);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json<Order>()).id).toBe(order.id);
    expect((await checkout(cartId, s, k, { note: "x" })).status).toBe(422);
    // A new key cannot check the same cart out twice.
    expect((await checkout(cartId, s)).status).toBe(409);
    expect(await stockOf(sku)).toBe(7);
    expect(await ledgerOf(sku)).toEqual([
      { delta: 10, reason: "initial_stock" },
      { delta: -3, reason: "order" },
    ]);
    const read = await call("GET", `/v1/orders/${order.id}`, { headers: s });
    expect((await read.json<Order>()).number).toBe(order.number);
    expect((await call("GET", `/v1/orders/${order.id}`, { headers: shopper("k2") })).status).toBe(404);
    expect((await call("GET", `/v1/orders/${order.id}`, { headers: asMerchant(otherMerchantId) })).status).toBe(404);
    expect((await call("GET", `/v1/orders/${order.id}`, { headers: asMerchant(merchantId) })).status).toBe(200);
  });

  it("credits a line to the note and creator its attribution names, only while the note vouches for it", async () => {
    const { productId, skuIds } = await createSkus({ prices: [2000, 3000], stock: 5 });
    const s = shopper("credit");
    const { noteId, reference } = await taggedBy(productId);
    // A well-formed reference to the same note naming another creator: the note does not vouch for it.
    const forged = encodeAttribution({ noteId, liveSessionId: null, creatorId: demo.creators[1]?.id ?? "", productId });
    const cartId = await newCart(s);
    expect((await addLine(cartId, s, { skuId: skuIds[0], attribution: reference })).status).toBe(200);
    expect((await addLine(cartId, s, { skuId: skuIds[1], attribution: forged })).status).toBe(200);
    const res = await checkout(cartId, s);
    expect(res.status).toBe(201);
    const order = await res.json<Order>();
    expect(order.lines.map((line) => line.credit)).toEqual([
      { noteId: expect.stringMatching(/^note_/), liveSessionId: null, creatorId },
      null,
    ]);
  });

  it("is all or nothing across lines: one line short, nothing is taken", async () => {
    const { skuIds } = await createSkus({ prices: [1000], stock: 5 });
    const short = await createSkus({ prices: [1000], stock: 1 });
    const s = shopper("aon");
    const cartId = await newCart(s);
    await addLine(cartId, s, { skuId: skuIds[0], quantity: 2 });
    await addLine(cartId, s, { skuId: short.skuIds[0], quantity: 3 });
    const res = await checkout(cartId, s);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      code: "sold_out",
      errors: [{ path: "/lines/1/quantity", message: "only 1 left" }],
    });
    expect(await stockOf(skuIds[0] ?? "")).toBe(5);
    expect(await stockOf(short.skuIds[0] ?? "")).toBe(1);
    expect(await ledgerOf(skuIds[0] ?? "")).toHaveLength(1);
    expect(await (await call("GET", `/v1/carts/${cartId}`, { headers: s })).json()).toMatchObject({ status: "open" });
  });

  it("never oversells regular stock: 12 parallel checkouts of 1 against 5 units", async () => {
    const { skuId: sku } = await createSku({ price: 1000, stock: 5 });
    const carts = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const cartId = await newCart(shopper(`race${i}`));
        await addLine(cartId, shopper(`race${i}`), { skuId: sku });
        return { cartId, who: shopper(`race${i}`) };
      }),
    );
    const statuses = await Promise.all(carts.map(async ({ cartId, who }) => (await checkout(cartId, who)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(await stockOf(sku)).toBe(0);
    expect((await ledgerOf(sku)).filter((l) => l.reason === "order")).toHaveLength(5);
  });

  it("checks a flash-sale hold out at the sale price, committing it in the sale's object", async () => {
    const sale = await createSale({ quantity: 10, perShopperLimit: 2, price: 4900 });
    const s = shopper("flash");
    const hold = await (await reserve(sale.id, "flash", { quantity: 2 })).json<{ id: string }>();
    const cartId = await newCart(s);
    const added = await addLine(cartId, s, { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id });
    expect(added.status).toBe(200);
    const cart = await added.json<Cart>();
    expect(cart.lines[0]).toMatchObject({
      id: hold.id,
      quantity: 2,
      unitPrice: { amount: 4900 },
      hold: { status: "held" },
    });
    expect(
      (await call("PATCH", `/v1/carts/${cartId}/lines/${hold.id}`, { headers: s, body: { quantity: 1 } })).status,
    ).toBe(409);
    // Someone else's hold cannot be put in a cart.
    const other = await newCart(shopper("thief"));
    expect(
      (await addLine(other, shopper("thief"), { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id })).status,
    ).toBe(404);

    const res = await checkout(cartId, s);
    expect(res.status).toBe(201);
    const order = await res.json<Order>();
    expect(order.lines[0]).toMatchObject({ holdId: hold.id, quantity: 2, unitPrice: { amount: 4900 } });
    expect(order.totals).toMatchObject({
      subtotal: { amount: 9800 },
      shipping: { amount: 1000 },
      total: { amount: 10_800 },
    });
    expect(await env.FLASH_SALE_STOCK.getByName(sale.id).snapshot()).toMatchObject({
      held: 0,
      committed: 2,
      available: 8,
    });
    // A committed hold cannot be cancelled: the order must be.
    const cancelHold = await call("DELETE", `/v1/flash-sales/${sale.id}/reservations/${hold.id}`, { headers: s });
    expect(cancelHold.status).toBe(409);
  });

  it("two checkouts of one cart at once (two keys): one order, and its hold stays committed to it", async () => {
    const sale = await createSale({ quantity: 10, perShopperLimit: 2, price: 4900 });
    const s = shopper("twice");
    const hold = await (await reserve(sale.id, "twice", { quantity: 2 })).json<{ id: string }>();
    const cartId = await newCart(s);
    await addLine(cartId, s, { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id });
    const answers = await Promise.all([checkout(cartId, s), checkout(cartId, s), checkout(cartId, s)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    // The loser must not give back a hold the winner's order holds: its units would be sold twice.
    expect(await env.FLASH_SALE_STOCK.getByName(sale.id).snapshot()).toMatchObject({
      held: 0,
      committed: 2,
      available: 8,
    });
    const view = await (await call("GET", `/v1/flash-sales/${sale.id}/reservations/${hold.id}`, { headers: s })).json();
    expect(view).toMatchObject({ status: "committed" });
    // It is the winner's: cancelling that order gives the units back to the sale.
    const order = (await answers.find((r) => r.status === 201)?.json<Order>()) as Order;
    expect((await call("POST", `/v1/orders/${order.id}/cancel`, { headers: s })).status).toBe(200);
    expect(await env.FLASH_SALE_STOCK.getByName(sale.id).snapshot()).toMatchObject({ committed: 0, available: 10 });
  });

  it("gives back the holds of an order its checkout never wrote, at the order's deadline", async () => {
    const sale = await createSale({ quantity: 10, perShopperLimit: 2, price: 4900 });
    const hold = await (await reserve(sale.id, "lost", { quantity: 1 })).json<{ id: string }>();
    // What a checkout that died after committing the hold leaves: the timer armed with the hold, the hold committed
    // to an order id that was never written.
    const orderId = newId("ord");
    await env.ORDER_DEADLINES.getByName(orderId).arm(orderId, Date.now(), [{ flashSaleId: sale.id, holdId: hold.id }]);
    const stock = env.FLASH_SALE_STOCK.getByName(sale.id);
    expect(await stock.commit(hold.id, shopperId("lost"), orderId)).toMatchObject({ ok: true });
    expect(await stock.snapshot()).toMatchObject({ committed: 1, available: 9 });
    expect(await runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(orderId))).toBe(true);
    expect(await stock.snapshot()).toMatchObject({ committed: 0, held: 1 });
  });

  it("refuses an expired hold at checkout, taking nothing", async () => {
    const sale = await createSale({ quantity: 10, perShopperLimit: 2 });
    const regular = await createSkus({ prices: [1000], stock: 3 });
    const s = shopper("late");
    const hold = await (await reserve(sale.id, "late", { quantity: 1 })).json<{ id: string }>();
    const cartId = await newCart(s);
    await addLine(cartId, s, { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id });
    await call("DELETE", `/v1/flash-sales/${sale.id}/reservations/${hold.id}`, { headers: s });
    const res = await checkout(cartId, s);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "conflict", errors: [{ path: "/lines/0" }] });
    expect(await stockOf(regular.skuIds[0] ?? "")).toBe(3);
  });
});

describe("orders", () => {
  async function placeOrder(who: string, stock = 10) {
    const sale = await createSale({ quantity: 5, perShopperLimit: 2, price: 4900 });
    const { skuIds } = await createSkus({ prices: [2000], stock });
    const s = shopper(who);
    const hold = await (await reserve(sale.id, who, { quantity: 1 })).json<{ id: string }>();
    const cartId = await newCart(s);
    await addLine(cartId, s, { skuId: skuIds[0], quantity: 2 });
    await addLine(cartId, s, { skuId: sale.skuId, flashSaleId: sale.id, holdId: hold.id });
    const order = await (await checkout(cartId, s)).json<Order>();
    return { order, sale, sku: skuIds[0] ?? "", s };
  }

  it("cancels an unpaid order at its payment deadline, releasing its stock and its hold", async () => {
    const { order, sale, sku } = await placeOrder("timeout");
    expect(await stockOf(sku)).toBe(8);
    await timeOut(order.id);
    const read = await (await call("GET", `/v1/orders/${order.id}`, { headers: shopper("timeout") })).json<Order>();
    expect(read).toMatchObject({ status: "cancelled", cancelReason: "payment_timeout" });
    expect(await stockOf(sku)).toBe(10);
    expect((await ledgerOf(sku)).map((l) => l.reason)).toEqual(["initial_stock", "order", "order_cancelled"]);
    expect(await env.FLASH_SALE_STOCK.getByName(sale.id).snapshot()).toMatchObject({ available: 5, committed: 0 });
    // A second alarm run changes nothing.
    await database(env).$client.execute({ sql: "SELECT 1" });
    await env.ORDER_DEADLINES.getByName(order.id).arm(order.id, Date.now());
    await runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(order.id));
    expect(await stockOf(sku)).toBe(10);
  });

  it("moves through its states only forward; anything else is 409", async () => {
    const { order, s } = await placeOrder("states");
    const m = asMerchant(merchantId);
    const post = (action: string, headers: Record<string, string>) =>
      call("POST", `/v1/orders/${order.id}/${action}`, { headers });
    expect((await post("fulfil", m)).status).toBe(409);
    expect((await post("deliver", m)).status).toBe(409);
    expect((await post("fulfil", asMerchant(otherMerchantId))).status).toBe(404);
    expect((await post("fulfil", asMerchant(merchantId, ["orders:read"]))).status).toBe(403);
    expect((await post("fulfil", s)).status).toBe(401);
    // Pay it (sandbox), then fulfil and deliver.
    const pay = await call("POST", `/v1/payments/${order.payment?.id}/sandbox`, {
      headers: s,
      key: key(),
      body: { outcome: "succeed" },
    });
    expect(pay.status).toBe(200);
    expect((await post("cancel", s)).status).toBe(409);
    const fulfilled = await post("fulfil", m);
    expect(fulfilled.status).toBe(200);
    expect(await fulfilled.json()).toMatchObject({ status: "fulfilled" });
    expect(await (await post("deliver", m)).json()).toMatchObject({ status: "delivered" });
    expect((await post("cancel", m)).status).toBe(409);
    expect((await post("fulfil", m)).status).toBe(409);
  });

  it("lets its customer cancel an unpaid order (idempotent) and lists orders for shoppers and merchants", async () => {
    const { order, sku, s } = await placeOrder("lister");
    const cancel = await call("POST", `/v1/orders/${order.id}/cancel`, { headers: s });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ status: "cancelled", cancelReason: "customer" });
    expect((await call("POST", `/v1/orders/${order.id}/cancel`, { headers: s })).status).toBe(200);
    expect(await stockOf(sku)).toBe(10);

    const mine = await (await call("GET", "/v1/orders", { headers: s })).json<{ data: Order[] }>();
    expect(mine.data.map((o) => o.id)).toEqual([order.id]);
    const merchantList = await call("GET", `/v1/orders?status=cancelled&limit=100`, {
      headers: asMerchant(merchantId),
    });
    expect((await merchantList.json<{ data: Order[] }>()).data.map((o) => o.id)).toContain(order.id);
    const other = await call("GET", "/v1/orders?limit=100", { headers: asMerchant(otherMerchantId) });
    expect((await other.json<{ data: Order[] }>()).data.map((o) => o.id)).not.toContain(order.id);
    expect((await call("GET", "/v1/orders", { headers: asMerchant(merchantId, ["catalog:write"]) })).status).toBe(403);
    expect((await call("GET", "/v1/orders", { headers: guest() })).status).toBe(401);
  });
});
