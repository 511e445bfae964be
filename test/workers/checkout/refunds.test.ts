// Refunds of sandbox orders: the arithmetic, computed by hand; never more than paid, even when refunds race; who
// may refund what; and an order paid after it was cancelled refunded by itself.
import { describe, expect, it } from "vitest";
import { openApiPart } from "#shared/entrypoint.ts";
import { app } from "../../../workers/checkout/src/index.ts";
import { SANDBOX_FAILING_REFUND } from "../../../workers/checkout/src/payments/sandbox.ts";
import { asMerchant, merchantId, otherMerchantId, shopper } from "./callers.ts";
import { call, cny, key } from "./helpers.ts";
import { orderOf, paidOrder, sandbox, unpaidOrder } from "./orders.ts";

interface Refund {
  id: string;
  object: string;
  orderId: string;
  status: string;
  amount: { amount: number; currency: string };
  reason: string | null;
  failureReason: string | null;
  lines: { position: number; quantity: number; amount: { amount: number; currency: string } }[];
}

const refund = (orderId: string, body: unknown, idempotencyKey = key(), headers = asMerchant(merchantId)) =>
  call("POST", `/v1/orders/${orderId}/refunds`, { headers, key: idempotencyKey, body });

// Two lines: 3000 × 2 (position 0) and 1500 × 2 (position 1): subtotal 9000, under 9900, so shipping 1000:
// total 10000 fen.
const twoLines = { prices: [3_000, 1_500], quantity: 2 };

describe("POST /v1/orders/{id}/refunds", () => {
  it("refunds lines, amounts and the rest, never past what was paid (cases computed by hand)", async () => {
    const { order } = await paidOrder("rf1", twoLines);
    expect(order.totals.total).toEqual(cny(10_000));

    // One unit of line 0: 3000. Left 7000.
    const byLine = await refund(order.id, { lines: [{ position: 0, quantity: 1 }], reason: "one arrived broken" });
    expect(byLine.status).toBe(201);
    expect(await byLine.json()).toMatchObject({
      object: "refund",
      status: "succeeded",
      amount: cny(3_000),
      reason: "one arrived broken",
      lines: [{ position: 0, quantity: 1, amount: cny(3_000) }],
    });
    expect(await orderOf(order.id, "rf1")).toMatchObject({ status: "partially_refunded" });

    // Both units of line 1 but only 2000 of their 3000 (a goodwill partial): left 5000.
    const partial = await refund(order.id, { lines: [{ position: 1, quantity: 2 }], amount: cny(2_000) });
    expect(await partial.json()).toMatchObject({
      amount: cny(2_000),
      lines: [{ position: 1, quantity: 2, amount: cny(3_000) }],
    });
    // More than the lines are worth: 400.
    expect((await refund(order.id, { lines: [{ position: 0, quantity: 1 }], amount: cny(3_001) })).status).toBe(400);

    // Line 1 has no unit left (1500 would fit in the 5000 left: the lines are what refuses it); line 0 has one.
    const tooMany = await refund(order.id, { lines: [{ position: 1, quantity: 1 }] });
    expect(tooMany.status).toBe(409);
    expect(await tooMany.json()).toMatchObject({ code: "refund_exceeds_payment", errors: [{ path: "/lines" }] });
    expect((await refund(order.id, { lines: [{ position: 0, quantity: 2 }], amount: cny(100) })).status).toBe(409);

    // 5001 of the 5000 left: refused, saying how much is left.
    const over = await refund(order.id, { amount: cny(5_001) });
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({
      code: "refund_exceeds_payment",
      errors: [{ path: "/amount", message: "at most 5000" }],
    });

    // No amount: all that is left, 5000. 3000 + 2000 + 5000 = 10000: refunded.
    expect(await (await refund(order.id, {})).json()).toMatchObject({
      status: "succeeded",
      amount: cny(5_000),
      lines: [],
    });
    expect(await orderOf(order.id, "rf1")).toMatchObject({ status: "refunded" });
    const done = await refund(order.id, { amount: cny(1) });
    expect(done.status).toBe(409);
    expect(await done.json()).toMatchObject({ code: "conflict" });

    const list = await (await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("rf1") })).json<{
      data: Refund[];
    }>();
    expect(list.data.map((r) => r.amount.amount)).toEqual([5_000, 2_000, 3_000]);
  });

  it("concurrent refunds never add up to more than was paid, nor more of a line than its quantity", async () => {
    const { order } = await paidOrder("rf2", twoLines);
    // 25 refunds of 700 against 10000: exactly 14 fit (9800), 11 are refused.
    const storm = await Promise.all(Array.from({ length: 25 }, () => refund(order.id, { amount: cny(700) })));
    const statuses = storm.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(14);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const list = await (
      await call("GET", `/v1/orders/${order.id}/refunds?limit=100`, { headers: asMerchant(merchantId) })
    ).json<{ data: Refund[] }>();
    expect(list.data.reduce((sum, r) => sum + r.amount.amount, 0)).toBe(9_800);
    expect(await orderOf(order.id, "rf2")).toMatchObject({ status: "partially_refunded" });

    // Line 0 has 2 units: of 8 racing refunds of one unit each, 2 win.
    const lines = await paidOrder("rf2b", twoLines);
    const race = await Promise.all(
      Array.from({ length: 8 }, () => refund(lines.order.id, { lines: [{ position: 0, quantity: 1 }] })),
    );
    expect(race.filter((res) => res.status === 201)).toHaveLength(2);
  });

  it("refunds only paid, fulfilled, delivered or partially refunded orders", async () => {
    const unpaid = await unpaidOrder("rf3");
    const res = await refund(unpaid.order.id, {});
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "conflict" });
    await call("POST", `/v1/orders/${unpaid.order.id}/cancel`, { headers: shopper("rf3") });
    expect((await refund(unpaid.order.id, {})).status).toBe(409);

    const { order } = await paidOrder("rf3b");
    for (const step of ["fulfil", "deliver"]) {
      await call("POST", `/v1/orders/${order.id}/${step}`, { headers: asMerchant(merchantId) });
    }
    expect((await refund(order.id, { amount: cny(100) })).status).toBe(201);
    expect(await orderOf(order.id, "rf3b")).toMatchObject({ status: "partially_refunded" });
  });

  it("a partially refunded order still ships the rest: fulfilled, then delivered, staying partially refunded", async () => {
    const { order } = await paidOrder("rf3c", twoLines);
    expect((await refund(order.id, { lines: [{ position: 1, quantity: 2 }] })).status).toBe(201);
    const step = (name: string) => call("POST", `/v1/orders/${order.id}/${name}`, { headers: asMerchant(merchantId) });
    // Not delivered before it is fulfilled.
    expect((await step("deliver")).status).toBe(409);
    expect((await step("fulfil")).status).toBe(200);
    const fulfilled = await orderOf(order.id, "rf3c");
    expect(fulfilled).toMatchObject({
      status: "partially_refunded",
      fulfilledAt: expect.any(String),
      deliveredAt: null,
    });
    // Idempotent.
    expect((await step("fulfil")).status).toBe(200);
    expect((await step("deliver")).status).toBe(200);
    expect(await orderOf(order.id, "rf3c")).toMatchObject({
      status: "partially_refunded",
      fulfilledAt: fulfilled.fulfilledAt,
      deliveredAt: expect.any(String),
    });
  });

  it("is its merchant's with orders:write and an Idempotency-Key; a replay answers the same; bad input is a 400", async () => {
    const { order } = await paidOrder("rf4", twoLines);
    expect((await refund(order.id, {}, key(), asMerchant(otherMerchantId))).status).toBe(404);
    expect((await refund(order.id, {}, key(), asMerchant(merchantId, ["orders:read"]))).status).toBe(403);
    expect((await refund(order.id, {}, key(), shopper("rf4"))).status).toBe(401);
    const noKey = await call("POST", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(merchantId), body: {} });
    expect(noKey.status).toBe(400);

    for (const bad of [
      { amount: cny(0) },
      { amount: { amount: 100, currency: "USD" } },
      { amount: { amount: 1.5, currency: "CNY" } },
      { lines: [{ position: 7, quantity: 1 }] },
      { lines: [{ position: 0, quantity: 0 }] },
      { lines: [] },
      {
        lines: [
          { position: 0, quantity: 1 },
          { position: 0, quantity: 1 },
        ],
      },
      { extra: true },
    ]) {
      const res = await refund(order.id, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }

    const k = key();
    const first = await refund(order.id, { amount: cny(1_000) }, k);
    const replay = await refund(order.id, { amount: cny(1_000) }, k);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
    expect((await refund(order.id, { amount: cny(2_000) }, k)).status).toBe(422);
  });

  it("a failed refund gives its amount back", async () => {
    const { order } = await paidOrder("rf5");
    const failed = await (await refund(order.id, { reason: SANDBOX_FAILING_REFUND })).json<Refund>();
    expect(failed).toMatchObject({ status: "failed", failureReason: expect.any(String) });
    expect(await orderOf(order.id, "rf5")).toMatchObject({ status: "paid" });
    expect(await (await refund(order.id, {})).json()).toMatchObject({
      status: "succeeded",
      amount: order.totals.total,
    });
    expect(await orderOf(order.id, "rf5")).toMatchObject({ status: "refunded" });
  });
});

describe("GET /v1/orders/{id}/refunds", () => {
  it("lists them newest first, in pages, to the order's customer and merchant only", async () => {
    const { order } = await paidOrder("rf6");
    for (const amount of [100, 200, 300]) await refund(order.id, { amount: cny(amount) });
    const first = await (
      await call("GET", `/v1/orders/${order.id}/refunds?limit=2`, { headers: asMerchant(merchantId) })
    ).json<{ data: Refund[]; nextCursor: string | null }>();
    expect(first.data.map((r) => r.amount.amount)).toEqual([300, 200]);
    const rest = await (
      await call("GET", `/v1/orders/${order.id}/refunds?limit=2&cursor=${first.nextCursor}`, {
        headers: shopper("rf6"),
      })
    ).json<{ data: Refund[]; nextCursor: string | null }>();
    expect(rest).toMatchObject({ data: [{ amount: cny(100) }], nextCursor: null });
    expect((await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("intruder") })).status).toBe(404);
    expect((await call("GET", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(otherMerchantId) })).status).toBe(
      404,
    );
  });
});

describe("a payment that succeeds for a cancelled order", () => {
  it("is refunded in full by itself, once", async () => {
    const { order, paymentId } = await unpaidOrder("rf7");
    await call("POST", `/v1/orders/${order.id}/cancel`, { headers: shopper("rf7") });
    const late = await (await sandbox(paymentId, "rf7", { outcome: "succeed", deliver: false })).json<{
      webhook: { signature: string; body: string };
    }>();
    for (let i = 0; i < 2; i++) {
      await call("POST", "/v1/webhooks/sandbox", {
        headers: { "x-sandbox-signature": late.webhook.signature },
        body: JSON.parse(late.webhook.body),
      });
    }
    expect(await orderOf(order.id, "rf7")).toMatchObject({ status: "cancelled", payment: { status: "succeeded" } });
    const list = await (await call("GET", `/v1/orders/${order.id}/refunds`, { headers: shopper("rf7") })).json<{
      data: Refund[];
    }>();
    expect(list.data).toEqual([
      expect.objectContaining({ status: "succeeded", reason: "order_cancelled", amount: order.totals.total }),
    ]);
  });
});

describe("the API document", () => {
  it("declares the refund routes, the Stripe webhook and the new shapes", () => {
    const part = openApiPart(app);
    expect(Object.keys(part.paths)).toEqual(
      expect.arrayContaining(["/v1/orders/{id}/refunds", "/v1/webhooks/stripe", "/v1/webhooks/sandbox"]),
    );
    expect(Object.keys(part.paths["/v1/orders/{id}/refunds"] as object).sort()).toEqual(["get", "post"]);
    expect(Object.keys(part.schemas)).toEqual(expect.arrayContaining(["Refund", "RefundInput", "CheckoutInput"]));
  });
});
