// Returns of delivered lines: requested within the window, approved (refunded through the sandbox or Stripe,
// restocked through the ledger) or rejected; never more units than bought, even racing; who may do what; listing in pages.
import { describe, expect, it } from "vitest";
import { openApiPart } from "#shared/entrypoint.ts";
import { app } from "../../../workers/checkout/src/index.ts";
import { SANDBOX_FAILING_REFUND } from "../../../workers/checkout/src/payments/sandbox.ts";
import { asMerchant, creators, shopper } from "./callers.ts";
import { call, key, ledgerOf, newMerchant, stockOf } from "./helpers.ts";
import { orderOf } from "./orders.ts";
import {
  decide,
  deliver,
  deliveredDaysAgo,
  paidOrderOf,
  requestReturn,
  stripeEvent,
  stripeRefundsAnswer,
} from "./returns-helpers.ts";

interface Return {
  id: string;
  object: string;
  orderId: string;
  status: string;
  reason: string;
  rejectionReason: string | null;
  restock: boolean | null;
  refundId: string | null;
  lines: { position: number; quantity: number }[];
}

// Two lines: 3000 × 2 (position 0) and 1500 × 2 (position 1): 9000 + 1000 shipping = 10000.
const twoLines = [
  { price: 3_000, quantity: 2 },
  { price: 1_500, quantity: 2 },
];

async function deliveredOrder(who: string, merchant: string) {
  const { order, skuIds } = await paidOrderOf(who, merchant, twoLines);
  await deliver(order.id, merchant);
  return { order, skuIds };
}

const refundsOf = async (orderId: string, merchant: string) =>
  (
    await (
      await call("GET", `/v1/orders/${orderId}/refunds`, { headers: asMerchant(merchant) })
    ).json<{
      data: { id: string; status: string; amount: { amount: number }; lines: unknown[] }[];
    }>()
  ).data;

describe("returns", () => {
  it("requests, approves with restock: refunded through the provider, units back on the ledger", async () => {
    const merchant = await newMerchant();
    const { order, skuIds } = await deliveredOrder("rt1", merchant);
    expect(await stockOf(skuIds[0] ?? "")).toBe(8);

    const res = await requestReturn(order.id, "rt1", { lines: [{ position: 0, quantity: 1 }], reason: "wrong shade" });
    expect(res.status).toBe(201);
    const requested = await res.json<Return>();
    expect(requested).toMatchObject({
      object: "return",
      orderId: order.id,
      status: "requested",
      reason: "wrong shade",
      restock: null,
      refundId: null,
      lines: [{ position: 0, quantity: 1 }],
    });

    const approved = await decide(requested.id, merchant, "approve", { restock: true });
    expect(approved.status).toBe(200);
    const body = await approved.json<Return>();
    // The sandbox refunds at once: approved, then refunded in the refund's own batch.
    expect(body).toMatchObject({ status: "refunded", restock: true, refundId: expect.stringMatching(/^rfd_/) });
    expect(await refundsOf(order.id, merchant)).toMatchObject([
      { id: body.refundId, status: "succeeded", amount: { amount: 3_000 }, lines: [{ position: 0, quantity: 1 }] },
    ]);
    expect(await orderOf(order.id, "rt1")).toMatchObject({ status: "partially_refunded" });
    expect(await stockOf(skuIds[0] ?? "")).toBe(9);
    expect((await ledgerOf(skuIds[0] ?? "")).at(-1)).toEqual({ delta: 1, reason: "return_restock" });

    // Illegal transitions: 409, nothing moves.
    for (const action of ["approve", "reject"] as const) {
      const again = await decide(requested.id, merchant, action, action === "reject" ? { reason: "no" } : {});
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: "conflict" });
    }
    expect(await stockOf(skuIds[0] ?? "")).toBe(9);
    expect(await refundsOf(order.id, merchant)).toHaveLength(1);
  });

  it("approves without restock, and rejects with a reason (the units become returnable again)", async () => {
    const merchant = await newMerchant();
    const { order, skuIds } = await deliveredOrder("rt2", merchant);
    const first = await (
      await requestReturn(order.id, "rt2", { lines: [{ position: 1, quantity: 2 }], reason: "too big" })
    ).json<Return>();
    // Both units of line 1 are taken by the open return.
    const more = await requestReturn(order.id, "rt2", { lines: [{ position: 1, quantity: 1 }], reason: "again" });
    expect(more.status).toBe(409);
    expect(await more.json()).toMatchObject({ code: "return_exceeds_order", errors: [{ path: "/lines" }] });

    expect((await decide(first.id, merchant, "reject", {})).status).toBe(400);
    const rejected = await decide(first.id, merchant, "reject", { reason: "used" });
    expect(rejected.status).toBe(200);
    expect(await rejected.json()).toMatchObject({ status: "rejected", rejectionReason: "used", refundId: null });
    expect((await decide(first.id, merchant, "approve")).status).toBe(409);

    const second = await (
      await requestReturn(order.id, "rt2", { lines: [{ position: 1, quantity: 1 }], reason: "one is broken" })
    ).json<Return>();
    const approved = await (await decide(second.id, merchant, "approve")).json<Return>();
    expect(approved).toMatchObject({ status: "refunded", restock: false });
    expect(await refundsOf(order.id, merchant)).toMatchObject([{ amount: { amount: 1_500 } }]);
    expect(await stockOf(skuIds[1] ?? "")).toBe(8);
  });

  it("counts refunds of a line and never returns more than bought, even racing", async () => {
    const merchant = await newMerchant();
    const { order } = await paidOrderOf("rt3", merchant, [{ price: 1_000, quantity: 5 }]);
    await deliver(order.id, merchant);
    // The merchant refunds 2 of the 5 units directly: 3 are left to return.
    const refund = await call("POST", `/v1/orders/${order.id}/refunds`, {
      headers: asMerchant(merchant),
      key: key(),
      body: { lines: [{ position: 0, quantity: 2 }] },
    });
    expect(refund.status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        requestReturn(order.id, "rt3", { lines: [{ position: 0, quantity: 1 }], reason: "race" }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
  });

  it("only within the window after delivery, only for a delivered order", async () => {
    const merchant = await newMerchant();
    const { order } = await paidOrderOf("rt4", merchant, twoLines);
    const early = await requestReturn(order.id, "rt4", { lines: [{ position: 0, quantity: 1 }], reason: "x" });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "conflict" });

    await deliver(order.id, merchant);
    await deliveredDaysAgo(order.id, 6.9);
    expect((await requestReturn(order.id, "rt4", { lines: [{ position: 0, quantity: 1 }], reason: "x" })).status).toBe(
      201,
    );
    await deliveredDaysAgo(order.id, 7.1);
    const late = await requestReturn(order.id, "rt4", { lines: [{ position: 1, quantity: 1 }], reason: "x" });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "return_window_closed" });
  });

  it("a refund that fails leaves the return approved; approving again asks for a new refund, restocking once", async () => {
    const merchant = await newMerchant();
    const { order, skuIds } = await deliveredOrder("rt5", merchant);
    const ret = await (
      await requestReturn(order.id, "rt5", { lines: [{ position: 0, quantity: 2 }], reason: SANDBOX_FAILING_REFUND })
    ).json<Return>();
    const first = await (await decide(ret.id, merchant, "approve", { restock: true })).json<Return>();
    expect(first).toMatchObject({ status: "approved", restock: true, refundId: expect.stringMatching(/^rfd_/) });
    // The goods came back: restocked with the approval, whatever the refund's fate (8 left + 2).
    expect(await stockOf(skuIds[0] ?? "")).toBe(10);
    // Its units stay taken by the approved return.
    expect((await requestReturn(order.id, "rt5", { lines: [{ position: 0, quantity: 1 }], reason: "x" })).status).toBe(
      409,
    );
    const second = await (await decide(ret.id, merchant, "approve", { restock: true })).json<Return>();
    expect(second.status).toBe("approved");
    expect(await stockOf(skuIds[0] ?? "")).toBe(10);
    expect(second.refundId).not.toBe(first.refundId);
    expect((await refundsOf(order.id, merchant)).map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(await orderOf(order.id, "rt5")).toMatchObject({ status: "delivered" });
  });

  it("through Stripe: approved while its refund is pending, refunded (its commission reversed) when Stripe settles it", async () => {
    const merchant = await newMerchant(800);
    // 3000 × 2 credited to creator 0 at 800 bps: 480 earned.
    const { order } = await paidOrderOf(
      "rt8",
      merchant,
      [{ price: 3_000, quantity: 2, creator: creators[0] }],
      "stripe",
    );
    await deliver(order.id, merchant);
    await stripeRefundsAnswer("pending", { "metadata[order_id]": order.id });
    const ret = await (
      await requestReturn(order.id, "rt8", { lines: [{ position: 0, quantity: 1 }], reason: "too dark" })
    ).json<Return>();
    const approved = await (await decide(ret.id, merchant, "approve")).json<Return>();
    expect(approved).toMatchObject({ status: "approved", refundId: expect.stringMatching(/^rfd_/) });
    expect(await refundsOf(order.id, merchant)).toMatchObject([{ status: "pending", amount: { amount: 3_000 } }]);
    // Its refund is under way: not approvable again.
    expect((await decide(ret.id, merchant, "approve")).status).toBe(409);

    expect((await stripeEvent("refund.updated", approved.refundId ?? "", { status: "succeeded" })).status).toBe(200);
    expect(await (await call("GET", `/v1/returns/${ret.id}`, { headers: shopper("rt8") })).json()).toMatchObject({
      status: "refunded",
    });
    expect(await orderOf(order.id, "rt8")).toMatchObject({ status: "partially_refunded" });
    // Half the line given back: floor(480 × 3000 / 6000) = 240 reversed, in the webhook's batch.
    const ledger = await call("GET", `/v1/commissions?orderId=${order.id}`, { headers: asMerchant(merchant) });
    expect((await ledger.json<{ data: { kind: string; amount: { amount: number } }[] }>()).data).toMatchObject([
      { kind: "reversal", amount: { amount: -240 } },
      { kind: "earned", amount: { amount: 480 } },
    ]);
  });

  it("belongs to its customer and its merchant: 401, 404 and bad input", async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const { order } = await deliveredOrder("rt6", merchant);
    const body = { lines: [{ position: 0, quantity: 1 }], reason: "x" };
    expect((await requestReturn(order.id, "rt6-other", body)).status).toBe(404);
    expect((await call("POST", `/v1/orders/${order.id}/returns`, { key: key(), body })).status).toBe(401);
    expect((await call("POST", `/v1/orders/${order.id}/returns`, { headers: shopper("rt6"), body })).status).toBe(400);
    for (const bad of [
      { lines: [], reason: "x" },
      { lines: [{ position: 0, quantity: 0 }], reason: "x" },
      { lines: [{ position: 0, quantity: 1 }] },
      {
        lines: [
          { position: 0, quantity: 1 },
          { position: 0, quantity: 1 },
        ],
        reason: "x",
      },
    ]) {
      expect((await requestReturn(order.id, "rt6", bad)).status).toBe(400);
    }
    const noLine = await requestReturn(order.id, "rt6", { lines: [{ position: 7, quantity: 1 }], reason: "x" });
    expect(await noLine.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/lines/0/position" }] });

    // The same key replays the first answer.
    const k = key();
    const a = await (await requestReturn(order.id, "rt6", body, k)).json<Return>();
    const b = await (await requestReturn(order.id, "rt6", body, k)).json<Return>();
    expect(b.id).toBe(a.id);

    expect((await decide(a.id, other, "approve")).status).toBe(404);
    expect((await call("POST", `/v1/returns/${a.id}/approve`, { headers: shopper("rt6") })).status).toBe(401);
    expect(
      (await call("POST", `/v1/returns/${a.id}/approve`, { headers: asMerchant(merchant, ["orders:read"]) })).status,
    ).toBe(403);
    expect((await call("GET", `/v1/returns/${a.id}`, { headers: shopper("rt6-other") })).status).toBe(404);
    expect((await call("GET", `/v1/returns/${a.id}`, { headers: asMerchant(other) })).status).toBe(404);
    expect(await (await call("GET", `/v1/returns/${a.id}`, { headers: shopper("rt6") })).json()).toMatchObject({
      id: a.id,
    });
  });

  it("lists a shopper's and a merchant's returns in pages, newest first", async () => {
    const merchant = await newMerchant();
    const { order } = await deliveredOrder("rt7", merchant);
    const made: string[] = [];
    for (const position of [0, 1, 0]) {
      const res = await requestReturn(order.id, "rt7", { lines: [{ position, quantity: 1 }], reason: "x" });
      made.push((await res.json<Return>()).id);
    }
    await decide(made[1] ?? "", merchant, "reject", { reason: "no" });
    for (const headers of [shopper("rt7"), asMerchant(merchant)]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : "";
        const res = await call("GET", `/v1/returns?limit=2&orderId=${order.id}${query}`, { headers });
        const page = await res.json<{ data: Return[]; nextCursor: string | null }>();
        seen.push(...page.data.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
    }
    const rejected = await call("GET", "/v1/returns?status=rejected", { headers: asMerchant(merchant) });
    expect((await rejected.json<{ data: Return[] }>()).data.map((r) => r.id)).toEqual([made[1]]);
    expect((await call("GET", "/v1/returns", { headers: shopper("rt7-nobody") })).status).toBe(200);
    expect((await call("GET", "/v1/returns")).status).toBe(401);
  });

  it("declares its routes in the API document", () => {
    expect(Object.keys(openApiPart(app).paths)).toEqual(
      expect.arrayContaining([
        "/v1/orders/{id}/returns",
        "/v1/returns",
        "/v1/returns/{id}",
        "/v1/returns/{id}/approve",
        "/v1/returns/{id}/reject",
        "/v1/commissions",
      ]),
    );
  });
});
