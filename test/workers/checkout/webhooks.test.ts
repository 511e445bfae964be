// Merchant webhooks end to end inside workerd: events recorded with the writes that cause them, delivered by each
// endpoint's WebhookDispatcher over real HTTP to a local receiver, and verified there with the official
// `standardwebhooks` package. Time moves by editing the next-attempt time and running the alarm, never by waiting.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql as drizzleSql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { liveSessionEvent } from "#shared/webhook-events.ts";
import { demo } from "../../../dev/demo.ts";
import { adjustInventory } from "../../../workers/catalog/src/skus/adjust-inventory.ts";
import { fromBase64 } from "../../../workers/checkout/src/webhooks/signing.ts";
import { flashSaleTerms } from "../sale-terms.ts";
import { asMerchant, shopper } from "./callers.ts";
import { call, createSkus, key, newMerchant, reserve, stockOf } from "./helpers.ts";
import {
  attempted,
  createEndpoint,
  deliveriesOf,
  type Endpoint,
  newEndpoint,
  orderOf,
  received,
  receivedAtLeast,
  release,
  rule,
  runDue,
  uniqueName,
  verify,
} from "./webhooks-helpers.ts";

interface Attempt {
  messageId: string;
  attempt: number;
  responseStatus: number | null;
  responseExcerpt: string;
  error: string | null;
  latencyMs: number;
  nextAttemptAt: string | null;
  createdAt: string;
}

const sql = (text: string, ...args: (string | number | null)[]) => database(env).$client.execute({ sql: text, args });

async function testEvent(merchant: string, endpointId: string): Promise<string> {
  const res = await call("POST", `/v1/webhook-endpoints/${endpointId}/test`, {
    headers: asMerchant(merchant),
    body: {},
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json<{ messageId: string }>()).messageId;
}

async function attemptsOf(merchant: string, endpointId: string): Promise<Attempt[]> {
  const res = await call("GET", `/v1/webhook-endpoints/${endpointId}/attempts?limit=100`, {
    headers: asMerchant(merchant),
  });
  expect(res.status).toBe(200);
  return (await res.json<{ data: Attempt[] }>()).data.reverse();
}

async function endpointOf(merchant: string, id: string): Promise<Endpoint> {
  return (await call("GET", `/v1/webhook-endpoints/${id}`, { headers: asMerchant(merchant) })).json<Endpoint>();
}

/** Seconds between an attempt and the next one it scheduled. */
const gap = (a: Attempt) =>
  a.nextAttemptAt === null ? null : (Date.parse(a.nextAttemptAt) - Date.parse(a.createdAt)) / 1000;

describe("order events", () => {
  it("reach the endpoint signed by the Standard Webhooks spec, in order, each with the order's sequence", async () => {
    const merchant = await newMerchant();
    const name = uniqueName();
    const types = ["order.created", "order.paid", "order.fulfilled", "order.delivered"];
    const endpoint = await createEndpoint(merchant, name, { eventTypes: types, description: "orders" });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await endpointOf(merchant, endpoint.id)).not.toHaveProperty("secret");

    const { res } = await orderOf(merchant, "wh-order");
    expect(res.status).toBe(201);
    const order = await res.json<{ id: string; payment: { id: string } }>();
    const paid = await call("POST", `/v1/payments/${order.payment.id}/sandbox`, {
      headers: shopper("wh-order"),
      key: key(),
      body: { outcome: "succeed" },
    });
    expect(paid.status).toBe(200);
    for (const step of ["fulfil", "deliver"]) {
      expect((await call("POST", `/v1/orders/${order.id}/${step}`, { headers: asMerchant(merchant) })).status).toBe(
        200,
      );
    }

    const got = await receivedAtLeast(name, 4);
    const events = got.map((delivery) => verify(endpoint.secret, delivery)) as {
      type: string;
      timestamp: string;
      sequence: number;
      data: { id: string; status: string; total: { amount: number } };
    }[];
    expect(events.map((e) => e.type)).toEqual(types);
    expect(events.map((e) => e.data.id)).toEqual([order.id, order.id, order.id, order.id]);
    expect(events.map((e) => e.data.status)).toEqual(["pending_payment", "paid", "fulfilled", "delivered"]);
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(4);
    expect(new Set(got.map((d) => d.id)).size).toBe(4);
    expect(got.every((d) => /^msg_/.test(d.id))).toBe(true);
    expect(Object.keys(JSON.parse(got[0]?.body ?? "{}"))).toEqual([
      "type",
      "livemode",
      "timestamp",
      "data",
      "sequence",
    ]);
  });

  it("are written with their change: a checkout that fails records none", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ eventTypes: ["order.created", "inventory.low"] });
    const failed = await orderOf(merchant, "wh-sold-out", { stock: 1, quantity: 2 });
    expect(failed.res.status).toBe(409);
    expect(await stockOf(failed.skuId)).toBe(1);
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
    const ok = await orderOf(merchant, "wh-sold-out", { stock: 11, quantity: 2 });
    expect(ok.res.status).toBe(201);
    // order.created, and inventory.low (11 -> 9 crosses the default threshold of 10), in that order.
    const got = await receivedAtLeast(name, 2);
    expect(got.map((d) => verify(endpoint.secret, d).type)).toEqual(["order.created", "inventory.low"]);
    expect(verify(endpoint.secret, got[1] as never).data).toMatchObject({
      skuId: ok.skuId,
      stock: 9,
      previousStock: 11,
    });
    // Below the threshold already: no second inventory.low.
    const again = await orderOf(merchant, "wh-sold-out", { stock: 9, quantity: 1 });
    expect(again.res.status).toBe(201);
    await receivedAtLeast(name, 3);
    expect((await received(name)).map((d) => verify(endpoint.secret, d).type)).toEqual([
      "order.created",
      "inventory.low",
      "order.created",
    ]);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(3);
  });

  it("cancelled and refunded orders are told too", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ eventTypes: ["order.cancelled", "order.refunded"] });
    const cancelled = await (await orderOf(merchant, "wh-cancel")).res.json<{ id: string }>();
    expect((await call("POST", `/v1/orders/${cancelled.id}/cancel`, { headers: shopper("wh-cancel") })).status).toBe(
      200,
    );
    const refunded = await (await orderOf(merchant, "wh-refund")).res.json<{ id: string; payment: { id: string } }>();
    await call("POST", `/v1/payments/${refunded.payment.id}/sandbox`, {
      headers: shopper("wh-refund"),
      key: key(),
      body: { outcome: "succeed" },
    });
    const refund = await call("POST", `/v1/orders/${refunded.id}/refunds`, {
      headers: asMerchant(merchant),
      key: key(),
    });
    expect(refund.status).toBe(201);
    const got = (await receivedAtLeast(name, 2)).map((d) => verify(endpoint.secret, d)) as {
      type: string;
      data: { id: string; status: string };
    }[];
    expect(got.map((e) => [e.type, e.data.id, e.data.status])).toEqual([
      ["order.cancelled", cancelled.id, "cancelled"],
      ["order.refunded", refunded.id, "refunded"],
    ]);
  });
});

describe("flash-sale events", () => {
  it("sold_out when every unit is sold, ended after the end: once each, from the sale's write-behind", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ eventTypes: ["flash_sale.sold_out", "flash_sale.ended"] });
    const { skuIds } = await createSkus({ prices: [8900], stock: 5, owner: merchant });
    const created = await call("POST", "/v1/flash-sales", {
      headers: asMerchant(merchant),
      body: flashSaleTerms(skuIds[0] ?? "", { quantity: 1, perShopperLimit: 1 }),
    });
    const sale = await created.json<{ id: string }>();
    const hold = await (await reserve(sale.id, "wh-fs", { quantity: 1 })).json<{ id: string }>();
    const s = shopper("wh-fs");
    const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
    await call("POST", `/v1/carts/${cart.id}/lines`, {
      headers: s,
      body: { skuId: skuIds[0], flashSaleId: sale.id, holdId: hold.id },
    });
    expect((await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: s, key: key() })).status).toBe(201);
    const stock = env.FLASH_SALE_STOCK.getByName(sale.id);
    await runDurableObjectAlarm(stock);
    await runDurableObjectAlarm(stock);
    const [soldOut] = await receivedAtLeast(name, 1);
    expect(verify(endpoint.secret, soldOut as never)).toMatchObject({
      type: "flash_sale.sold_out",
      data: { id: sale.id, skuId: skuIds[0], allotted: 1, sold: 1, returned: 0 },
    });
    await runInDurableObject(stock, (_, state) => {
      state.storage.sql.exec("UPDATE book SET ends_at = ?", Date.now() - 1000);
    });
    await runDurableObjectAlarm(stock);
    await runDurableObjectAlarm(stock);
    const got = await receivedAtLeast(name, 2);
    expect(got.map((d) => verify(endpoint.secret, d).type)).toEqual(["flash_sale.sold_out", "flash_sale.ended"]);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(2);
  });
});

describe("events other Workers record", () => {
  it("reach the endpoint: inventory.low from the catalog's ledger, which kicks the dispatcher", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ eventTypes: ["inventory.low"], inventoryLowThreshold: 5 });
    const { skuIds } = await createSkus({ prices: [100], stock: 6, owner: merchant });
    const skuId = skuIds[0] ?? "";
    const adjust = (delta: number, key: string) =>
      adjustInventory({ client: database(env).$client, skuId, delta, reason: "manual", idempotencyKey: key });
    expect((await adjust(-1, "a")).ok).toBe(true); // 6 -> 5: not below 5
    expect((await adjust(-1, "b")).ok).toBe(true); // 5 -> 4: below
    expect((await adjust(-1, "b")).ok).toBe(false); // a retry: no change, no event
    expect((await adjust(-9, "c")).ok).toBe(false); // refused: no change, no event
    expect((await adjust(-1, "d")).ok).toBe(true); // 4 -> 3: already below
    await runDue(endpoint.id);
    const got = await receivedAtLeast(name, 1);
    expect(got.map((d) => verify(endpoint.secret, d))).toMatchObject([
      { type: "inventory.low", data: { skuId, merchantId: merchant, stock: 4, previousStock: 5 } },
    ]);
  });

  it("live_session.started tells the merchants on a creator's shelf, once", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ eventTypes: ["live_session.started"] });
    const { productId } = await createSkus({ prices: [100], stock: 1, owner: merchant });
    const db = database(env);
    const sessionId = newId("live");
    await sql(
      `INSERT INTO live_sessions (id, host_type, creator_id, title, status, scheduled_start_at)
       VALUES (?, 'creator', ?, 'Evening try-on', 'scheduled', ?)`,
      sessionId,
      demo.creators[0]?.id ?? "",
      new Date().toISOString(),
    );
    await sql(
      "INSERT INTO live_session_products (session_id, product_id, position) VALUES (?, ?, 0)",
      sessionId,
      productId,
    );
    const goLive = () =>
      db.batch([
        db.run(drizzleSql`UPDATE live_sessions SET status = 'live', started_at = ${new Date().toISOString()}
                          WHERE id = ${sessionId} AND status = 'scheduled'`),
        ...liveSessionEvent("live_session.started", sessionId).map((statement) => db.run(statement)),
      ]);
    await goLive();
    await goLive();
    await runDue(endpoint.id);
    const got = await receivedAtLeast(name, 1);
    expect(got.map((d) => verify(endpoint.secret, d))).toMatchObject([
      { type: "live_session.started", data: { id: sessionId, status: "live", hostType: "creator", merchantId: null } },
    ]);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
  });
});

describe("delivery", () => {
  it("retries on the schedule with the same webhook-id, and logs every attempt", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 500, times: 2 });
    const messageId = await testEvent(merchant, endpoint.id);
    await attempted(endpoint.id, 1);
    await runDue(endpoint.id);
    await attempted(endpoint.id, 2);
    await runDue(endpoint.id);
    const got = await receivedAtLeast(name, 3);
    expect(got.map((d) => d.id)).toEqual([messageId, messageId, messageId]);
    for (const delivery of got) expect(verify(endpoint.secret, delivery).data).toMatchObject({ test: true });
    const attempts = await attemptsOf(merchant, endpoint.id);
    expect(attempts.map((a) => [a.attempt, a.responseStatus, a.responseExcerpt, gap(a)])).toEqual([
      [1, 500, "status 500", 5],
      [2, 500, "status 500", 300],
      [3, 200, "ok", null],
    ]);
    expect(attempts.every((a) => a.latencyMs >= 0 && a.messageId === messageId)).toBe(true);
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "succeeded", attempts: 3 }]);
    expect((await endpointOf(merchant, endpoint.id)).enabled).toBe(true);
  });

  it("honours Retry-After in seconds or as an HTTP date, never sooner than the schedule, capped at 10 h", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 503, retryAfter: "120" });
    await rule(name, { status: 429, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() });
    await rule(name, { status: 503, retryAfter: "1" });
    await rule(name, { status: 503, retryAfter: "999999" });
    await testEvent(merchant, endpoint.id);
    for (let n = 1; n <= 4; n++) {
      await attempted(endpoint.id, n);
      await runDue(endpoint.id);
    }
    await receivedAtLeast(name, 5);
    const gaps = (await attemptsOf(merchant, endpoint.id)).map(gap);
    expect(gaps[0]).toBe(120);
    expect(gaps[1]).toBeGreaterThan(3500);
    expect(gaps[1]).toBeLessThanOrEqual(3600);
    expect(gaps.slice(2)).toEqual([1800, 36_000, null]);
  });

  it("gives a message up after eight attempts; replaying the failed ones since a time sends it again", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    const since = new Date(Date.now() - 1000).toISOString();
    await rule(name, { status: 500, times: 8 });
    const messageId = await testEvent(merchant, endpoint.id);
    for (let n = 1; n < 8; n++) {
      await attempted(endpoint.id, n);
      await runDue(endpoint.id);
    }
    const rows = await attempted(endpoint.id, 8);
    expect(rows).toMatchObject([{ status: "failed", attempts: 8, next_attempt_at: null }]);
    expect((await attemptsOf(merchant, endpoint.id)).map(gap)).toEqual([
      5,
      300,
      1800,
      7200,
      18_000,
      36_000,
      36_000,
      null,
    ]);

    const replay = await call("POST", `/v1/webhook-endpoints/${endpoint.id}/replay`, {
      headers: asMerchant(merchant),
      body: { since },
    });
    expect(await replay.json()).toEqual({ replayed: 1 });
    const got = await receivedAtLeast(name, 9);
    expect(new Set(got.map((d) => d.id))).toEqual(new Set([messageId]));
    await attempted(endpoint.id, 1);
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "succeeded" }]);
  });

  it("a failing message does not hold back the later ones; each endpoint gets its messages in order", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 500 });
    const first = await testEvent(merchant, endpoint.id);
    await attempted(endpoint.id, 1);
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await testEvent(merchant, endpoint.id));
    await receivedAtLeast(name, 5);
    await runDue(endpoint.id);
    const got = await receivedAtLeast(name, 6);
    expect(got.map((d) => d.id)).toEqual([first, ...later, first]);
  });

  it("410 Gone disables the endpoint; enabling it again delivers what waited", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 410 });
    const messageId = await testEvent(merchant, endpoint.id);
    await attempted(endpoint.id, 1);
    const disabled = await endpointOf(merchant, endpoint.id);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone." });
    expect(
      (await call("POST", `/v1/webhook-endpoints/${endpoint.id}/test`, { headers: asMerchant(merchant) })).status,
    ).toBe(409);
    const enabled = await call("PATCH", `/v1/webhook-endpoints/${endpoint.id}`, {
      headers: asMerchant(merchant),
      body: { enabled: true },
    });
    expect(await enabled.json()).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    await runDue(endpoint.id);
    expect((await receivedAtLeast(name, 2)).map((d) => d.id)).toEqual([messageId, messageId]);
  });

  it("an endpoint failing for 5 days is disabled, with the reason on it", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000).toISOString();
    await sql("UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?", sixDaysAgo, endpoint.id);
    await rule(name, { status: 500 });
    await testEvent(merchant, endpoint.id);
    await attempted(endpoint.id, 1);
    expect(await endpointOf(merchant, endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: "Every delivery has failed for 5 days.",
      failingSince: sixDaysAgo,
    });
  });

  it("delivers at least once when the dispatcher restarts in the middle of a delivery", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    await rule(name, { status: 200, hold: true });
    const messageId = await testEvent(merchant, endpoint.id);
    await receivedAtLeast(name, 1);
    // The object dies while the receiver holds the answer: nothing was recorded, so the message is still due.
    const stub = env.WEBHOOK_DISPATCHER.getByName(endpoint.id);
    await expect(runInDurableObject(stub, (_, state) => state.abort("restart"))).rejects.toThrow();
    await release(name);
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "pending", attempts: 0 }]);
    await runDue(endpoint.id);
    const got = await receivedAtLeast(name, 2);
    expect(got.map((d) => d.id)).toEqual([messageId, messageId]);
    expect(await deliveriesOf(endpoint.id)).toMatchObject([{ status: "succeeded", attempts: 1 }]);
  });

  it("checks the URL again when sending (it may have been stored under another setting)", async () => {
    const merchant = await newMerchant();
    const endpoint = await createEndpoint(merchant, uniqueName());
    await sql("UPDATE webhook_endpoints SET url = 'https://10.0.0.7/hooks' WHERE id = ?", endpoint.id);
    await testEvent(merchant, endpoint.id);
    await attempted(endpoint.id, 1);
    expect(await attemptsOf(merchant, endpoint.id)).toMatchObject([
      {
        responseStatus: null,
        error: "URL refused: must not point at a private address (10.0.0.0/8, Private-Use, RFC 1918)",
        nextAttemptAt: expect.any(String),
      },
    ]);
  });

  it("resends one message with the same webhook-id; an unknown one is a 404", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    const messageId = await testEvent(merchant, endpoint.id);
    await receivedAtLeast(name, 1);
    await attempted(endpoint.id, 1);
    const path = `/v1/webhook-endpoints/${endpoint.id}/messages`;
    expect((await call("POST", `${path}/${messageId}/resend`, { headers: asMerchant(merchant) })).status).toBe(202);
    expect((await receivedAtLeast(name, 2)).map((d) => d.id)).toEqual([messageId, messageId]);
    expect((await call("POST", `${path}/msg_UNKNOWN/resend`, { headers: asMerchant(merchant) })).status).toBe(404);
  });
});

describe("signing", () => {
  it("during a rotation's overlap both secrets sign; after it only the new one", async () => {
    const { merchant, name, endpoint } = await newEndpoint();
    const rotated = await call("POST", `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      headers: asMerchant(merchant),
      body: { overlapSeconds: 3600 },
    });
    const { secret, previousSecretExpiresAt } = await rotated.json<{
      secret: string;
      previousSecretExpiresAt: string;
    }>();
    expect(secret).not.toBe(endpoint.secret);
    expect(Date.parse(previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    await testEvent(merchant, endpoint.id);
    const [during] = await receivedAtLeast(name, 1);
    if (!during) throw new Error("no delivery");
    expect(during.signature.split(" ").map((s) => s.split(",")[0])).toEqual(["v1", "v1"]);
    verify(secret, during);
    verify(endpoint.secret, during);

    await sql(
      "UPDATE webhook_endpoints SET previous_secret_expires_at = ? WHERE id = ?",
      new Date(0).toISOString(),
      endpoint.id,
    );
    await testEvent(merchant, endpoint.id);
    const after = (await receivedAtLeast(name, 2))[1];
    if (!after) throw new Error("no delivery");
    expect(after.signature.split(" ")).toHaveLength(1);
    verify(secret, after);
    expect(() => verify(endpoint.secret, after)).toThrow();
  });

  it("signs with Ed25519 (v1a) when the endpoint has a key pair, verifiable with its public key", async () => {
    const { merchant, name, endpoint } = await newEndpoint({ ed25519: true });
    expect(endpoint.ed25519PublicKey).toMatch(/^whpk_/);
    await testEvent(merchant, endpoint.id);
    const [delivery] = await receivedAtLeast(name, 1);
    if (!delivery) throw new Error("no delivery");
    verify(endpoint.secret, delivery);
    const v1a = delivery.signature.split(" ").find((s) => s.startsWith("v1a,"));
    const key = await crypto.subtle.importKey(
      "raw",
      fromBase64((endpoint.ed25519PublicKey ?? "").slice("whpk_".length)),
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const content = new TextEncoder().encode(`${delivery.id}.${delivery.timestamp}.${delivery.body}`);
    const signature = fromBase64((v1a ?? "").slice("v1a,".length));
    expect(await crypto.subtle.verify("Ed25519", key, signature, content)).toBe(true);
    expect(await crypto.subtle.verify("Ed25519", key, signature, new TextEncoder().encode("tampered"))).toBe(false);
  });
});

describe("/v1/webhook-endpoints", () => {
  it("is the merchant's own, with webhooks:write: another merchant's endpoint is a 404, no scope a 403", async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const endpoint = await createEndpoint(merchant, uniqueName());
    const path = `/v1/webhook-endpoints/${endpoint.id}`;
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["PATCH", "", { description: "mine now" }],
      ["DELETE", "", undefined],
      ["POST", "/rotate-secret", {}],
      ["POST", "/test", {}],
      ["GET", "/attempts", undefined],
      ["POST", "/replay", { since: new Date().toISOString() }],
    ] as const) {
      expect((await call(method, `${path}${suffix}`, { headers: asMerchant(other), body })).status).toBe(404);
    }
    const noScope = asMerchant(merchant, ["orders:read", "orders:write"]);
    expect((await call("GET", path, { headers: noScope })).status).toBe(403);
    expect((await call("GET", "/v1/webhook-endpoints", { headers: noScope })).status).toBe(403);
    expect((await call("GET", "/v1/webhook-endpoints", { headers: shopper("wh-nosy") })).status).toBe(401);
    const list = await (await call("GET", "/v1/webhook-endpoints", { headers: asMerchant(other) })).json<{
      data: unknown[];
    }>();
    expect(list.data).toEqual([]);
  });

  it("lists, changes (with If-Match) and deletes endpoints", async () => {
    const merchant = await newMerchant();
    const a = await createEndpoint(merchant, uniqueName());
    const b = await createEndpoint(merchant, uniqueName(), { eventTypes: ["order.paid"], inventoryLowThreshold: 3 });
    const first = await (await call("GET", "/v1/webhook-endpoints?limit=1", { headers: asMerchant(merchant) })).json<{
      data: { id: string }[];
      nextCursor: string;
    }>();
    expect(first.data.map((e) => e.id)).toEqual([b.id]);
    const second = await (
      await call("GET", `/v1/webhook-endpoints?limit=1&cursor=${first.nextCursor}`, { headers: asMerchant(merchant) })
    ).json<{ data: { id: string }[]; nextCursor: null }>();
    expect(second).toMatchObject({ data: [{ id: a.id }], nextCursor: null });

    const read = await call("GET", `/v1/webhook-endpoints/${a.id}`, { headers: asMerchant(merchant) });
    const etag = read.headers.get("etag") ?? "";
    const patch = (ifMatch: string, body: unknown) =>
      call("PATCH", `/v1/webhook-endpoints/${a.id}`, {
        headers: { ...asMerchant(merchant), "if-match": ifMatch },
        body,
      });
    const changed = await patch(etag, {
      eventTypes: ["order.paid", "order.cancelled"],
      description: "ops",
      enabled: false,
    });
    expect(await changed.json()).toMatchObject({
      eventTypes: ["order.paid", "order.cancelled"],
      description: "ops",
      enabled: false,
      disabledReason: null,
    });
    expect((await patch(etag, { description: "stale" })).status).toBe(412);
    expect((await patch("*", { eventTypes: ["order.unknown"] })).status).toBe(400);
    expect((await call("DELETE", `/v1/webhook-endpoints/${a.id}`, { headers: asMerchant(merchant) })).status).toBe(204);
    expect((await call("GET", `/v1/webhook-endpoints/${a.id}`, { headers: asMerchant(merchant) })).status).toBe(404);
  });

  it("refuses URLs to private, link-local and metadata addresses, with credentials, or not https", async () => {
    const merchant = await newMerchant();
    for (const url of [
      "https://10.0.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://0xa9.0xfe.0xa9.0xfe/",
      "https://[fd00:ec2::254]/",
      "https://[::ffff:10.0.0.1]/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://printer.local/",
      "https://user:secret@example.com/",
      "ftp://example.com/",
      "not a url",
    ]) {
      const res = await call("POST", "/v1/webhook-endpoints", {
        headers: asMerchant(merchant),
        body: { url, eventTypes: ["order.paid"] },
      });
      expect(res.status, url).toBe(400);
      expect((await res.json<{ errors: { path: string }[] }>()).errors[0]?.path, url).toBe("/url");
    }
    expect(await received("never")).toEqual([]);
  });
});
