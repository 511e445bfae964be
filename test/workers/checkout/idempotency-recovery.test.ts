// A request killed (the whole platform, SIGKILL) after claiming its Idempotency-Key but before recording its answer
// leaves the claim in progress. Its client's retries must not be told "still in progress" forever: once the claim is
// older than any request runs, a retry takes it over, and a checkout or payment whose work was already done answers
// with that work. The kill's leftover is made here as it is left: the key's row back in progress, with no answer.
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { ABANDONED_AFTER_MS } from "#shared/idempotency.ts";
import { idempotencyKeys } from "#shared/schema.ts";
import { shopper, shopperId } from "./callers.ts";
import { call, createSkus, key, ledgerOf, stockOf } from "./helpers.ts";

interface Order {
  id: string;
  status: string;
  payment: { id: string; status: string };
}

/** The key's row as a run killed before recording its answer leaves it, claimed `ageMs` ago. */
async function cutOff(shopper: string, idempotencyKey: string, ageMs: number): Promise<void> {
  const updated = await database(env)
    .update(idempotencyKeys)
    .set({
      status: "in_progress",
      responseStatus: null,
      responseBody: null,
      responseHeaders: null,
      createdAt: new Date(Date.now() - ageMs).toISOString(),
    })
    .where(and(eq(idempotencyKeys.caller, `shopper:${shopperId(shopper)}`), eq(idempotencyKeys.key, idempotencyKey)))
    .returning({ key: idempotencyKeys.key });
  expect(updated).toHaveLength(1);
}

async function cartWith(who: string, skuId: string, quantity: number): Promise<string> {
  const headers = shopper(who);
  const cart = await call("POST", "/v1/carts", { headers, body: {} });
  expect(cart.status).toBe(201);
  const { id } = await cart.json<{ id: string }>();
  expect((await call("POST", `/v1/carts/${id}/lines`, { headers, body: { skuId, quantity } })).status).toBe(200);
  return id;
}

const checkout = (cartId: string, who: string, idempotencyKey: string) =>
  call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper(who), key: idempotencyKey, body: {} });

describe("an Idempotency-Key whose first run was killed before answering", () => {
  it("is still in use while the claim is young, so a slow first run is never run twice", async () => {
    const { skuIds } = await createSkus({ prices: [2000], stock: 5 });
    const cartId = await cartWith("rec-young", skuIds[0] ?? "", 1);
    const k = key();
    expect((await checkout(cartId, "rec-young", k)).status).toBe(201);
    await cutOff("rec-young", k, 1000);
    const retry = await checkout(cartId, "rec-young", k);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ code: "idempotency_key_in_use" });
  });

  it("gives a checkout's retry the order its killed run wrote, taking stock once", async () => {
    const { skuIds } = await createSkus({ prices: [2000], stock: 5 });
    const sku = skuIds[0] ?? "";
    const cartId = await cartWith("rec-after", sku, 2);
    const k = key();
    const first = await checkout(cartId, "rec-after", k);
    expect(first.status).toBe(201);
    const order = await first.json<Order>();
    await cutOff("rec-after", k, ABANDONED_AFTER_MS + 1000);

    const retry = await checkout(cartId, "rec-after", k);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("location")).toBe(`/v1/orders/${order.id}`);
    expect(await retry.json<Order>()).toMatchObject({ id: order.id, status: "pending_payment" });
    // The answer is recorded again: the next retry replays it.
    const replay = await checkout(cartId, "rec-after", k);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await replay.json<Order>()).id).toBe(order.id);
    expect(await stockOf(sku)).toBe(3);
    expect(await ledgerOf(sku)).toEqual([
      { delta: 5, reason: "initial_stock" },
      { delta: -2, reason: "order" },
    ]);
    // Another key is still refused: only the key's own retry is answered with the order.
    expect((await checkout(cartId, "rec-after", key())).status).toBe(409);
  });

  it("runs a checkout whose killed run wrote nothing", async () => {
    const { skuIds } = await createSkus({ prices: [2000], stock: 1 });
    const sku = skuIds[0] ?? "";
    // The first run of `k` is refused (the unit went to another cart); that order is cancelled, the unit comes back.
    const other = await checkout(await cartWith("rec-before-b", sku, 1), "rec-before-b", key());
    expect(other.status).toBe(201);
    const cartId = await cartWith("rec-before", sku, 1);
    const k = key();
    expect((await checkout(cartId, "rec-before", k)).status).toBe(409);
    const cancelled = await call("POST", `/v1/orders/${(await other.json<Order>()).id}/cancel`, {
      headers: shopper("rec-before-b"),
    });
    expect(cancelled.status).toBe(200);
    await cutOff("rec-before", k, ABANDONED_AFTER_MS + 1000);

    const retry = await checkout(cartId, "rec-before", k);
    expect(retry.status).toBe(201);
    expect(await retry.json<Order>()).toMatchObject({ status: "pending_payment" });
    expect(await stockOf(sku)).toBe(0);
  });

  it("answers a sandbox payment's retry with the success its killed run applied", async () => {
    const { skuIds } = await createSkus({ prices: [2000], stock: 5 });
    const cartId = await cartWith("rec-pay", skuIds[0] ?? "", 1);
    const order = await (await checkout(cartId, "rec-pay", key())).json<Order>();
    const pay = (idempotencyKey: string) =>
      call("POST", `/v1/payments/${order.payment.id}/sandbox`, {
        headers: shopper("rec-pay"),
        key: idempotencyKey,
        body: { outcome: "succeed" },
      });
    const k = key();
    expect((await pay(k)).status).toBe(200);
    await cutOff("rec-pay", k, ABANDONED_AFTER_MS + 1000);

    const retry = await pay(k);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ payment: { id: order.payment.id, status: "succeeded" } });
    const read = await call("GET", `/v1/orders/${order.id}`, { headers: shopper("rec-pay") });
    expect(await read.json<Order>()).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    // A new decision is still refused once the payment succeeded.
    expect((await pay(key())).status).toBe(409);
  });
});
