// One small creator (200 followers) through the gateway, from a merchant's targeted invitation through the selection
// centre, a showcase, a sample, a published note (then the note of a paid brief, labelled, its fee payable), a sale through the note and its refund, reading the creator's
// earnings and the merchant's figures by creator and plan at each step.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { call, creatorSession, idempotencyKey, merchantWithSku, post, shopperSession } from "./helpers.ts";

interface Money {
  amount: number;
}
interface Earnings {
  totals: { earned: Money; reversed: Money; pending: Money }[];
  data: { kind: string; orderId: string; affiliatePlanId: string | null }[];
  collaborationFees: { totals: { currency: string; payable: Money }[] };
}
interface Figures {
  byCreator: { creatorId: string; gmv: Money; orders: number; commission: Money }[];
  byPlan: { affiliatePlanId: string | null; gmv: Money; orders: number; commission: Money }[];
}

describe("a 200-follower creator's walk", () => {
  it("is invited, selects, keeps a showcase, gets a sample, posts, sells, and sees a refund reversed", async () => {
    const { secret, pk, product, skuId } = await merchantWithSku("小众面霜 Indie cream", { price: 12_000 });
    const { id: creatorId, headers: creator } = await creatorSession("小小博主");
    await database(env).$client.execute({
      sql: "UPDATE creators SET follower_count = 200 WHERE id = ?",
      args: [creatorId],
    });

    const earnings = async () => (await call("/v1/creators/me/earnings", { headers: creator })).json<Earnings>();
    const figures = async () => {
      const r = await call("/v1/analytics/merchants/me/affiliates", { headers: secret });
      expect(r.status).toBe(200);
      return r.json<Figures>();
    };
    const selection = async () =>
      (
        await (
          await call("/v1/selection?limit=100", { headers: creator })
        ).json<{ data: { productId: string; commissionRateBps: number; estimatedEarnings: Money }[] }>()
      ).data.filter((i) => i.productId === product.id);

    // 1. Invited: in the inbox; not yet in the selection (no open plan, not accepted); nothing earned, nothing sold.
    let res = await call(
      "/v1/affiliate-plans",
      post(
        { type: "targeted", creatorIds: [creatorId], productIds: [product.id], commissionRateBps: 2_000 },
        { ...secret, ...idempotencyKey() },
      ),
    );
    expect(res.status).toBe(201);
    const plan = await res.json<{ id: string }>();
    const inbox = await (await call("/v1/notifications", { headers: creator })).json<{
      data: { kind: string; link: string }[];
    }>();
    expect(inbox.data.map((n) => [n.kind, n.link])).toContainEqual([
      "affiliate_plan_invited",
      `/v1/affiliate-plans/${plan.id}`,
    ]);
    expect(await selection()).toEqual([]);
    expect(await earnings()).toMatchObject({ totals: [], data: [] });
    expect(await figures()).toMatchObject({ byCreator: [], byPlan: [] });

    // 2. Accepted: the product is in the selection at 20%, 2400 a sale.
    expect((await call(`/v1/affiliate-plans/${plan.id}/accept`, post({}, creator))).status).toBe(200);
    expect((await selection()).map((i) => [i.commissionRateBps, i.estimatedEarnings.amount])).toEqual([[2_000, 2_400]]);

    // 3. Showcase.
    expect((await call(`/v1/creators/me/showcase/${product.id}`, { method: "PUT", headers: creator })).status).toBe(
      200,
    );
    const showcase = await (await call(`/v1/creators/${creatorId}/showcase`, { headers: pk })).json<{
      data: { productId: string }[];
    }>();
    expect(showcase.data.map((i) => i.productId)).toEqual([product.id]);

    // 4. A sample: asked, approved, shipped (one unit leaves stock), received.
    res = await call(
      "/v1/sample-requests",
      post(
        {
          skuId,
          shippingAddress: { name: "小小", phone: "13800000000", line1: "1 号", city: "杭州" },
          pitch: "粉丝少但很精准",
        },
        { ...creator, ...idempotencyKey() },
      ),
    );
    expect(res.status).toBe(201);
    const sample = await res.json<{ id: string }>();
    expect((await call(`/v1/sample-requests/${sample.id}/approve`, post({ noteDueDays: 7 }, secret))).status).toBe(200);
    expect(
      (await call(`/v1/sample-requests/${sample.id}/ship`, post({ carrier: "顺丰", trackingNumber: "SF9" }, secret)))
        .status,
    ).toBe(200);
    expect((await call(`/v1/sample-requests/${sample.id}/receipt`, post({}, creator))).status).toBe(200);
    const stock = await database(env).$client.execute({ sql: "SELECT stock FROM skus WHERE id = ?", args: [skuId] });
    expect(Number(stock.rows[0]?.stock)).toBe(9);

    // 5. A published note tagging the product fulfils the sample.
    res = await call(
      "/v1/notes",
      post(
        {
          title: "小众面霜一周实测",
          body: "真的好用",
          images: ["https://img.example.com/walk.jpg"],
          productIds: [product.id],
        },
        { ...creator, ...idempotencyKey() },
      ),
    );
    expect(res.status).toBe(201);
    const note = await res.json<{ id: string; products: { attribution: string }[] }>();
    const fulfilled = await (await call(`/v1/sample-requests/${sample.id}`, { headers: secret })).json<{
      fulfillingNoteId: string | null;
      overdue: boolean;
    }>();
    expect(fulfilled).toEqual(expect.objectContaining({ fulfillingNoteId: note.id, overdue: false }));

    // 5b. A paid brief: the creator finds it, applies, is accepted and submits the note; once approved, the fee is
    // payable in its earnings and the note carries the paid-partnership label.
    res = await call(
      "/v1/collaborations",
      post(
        {
          title: "小众面霜种草",
          brief: "一周实测",
          productIds: [product.id],
          feePerNote: { amount: 30_000, currency: "CNY" },
          slots: 1,
          deadline: new Date(Date.now() + 86_400_000).toISOString(),
        },
        { ...secret, ...idempotencyKey() },
      ),
    );
    expect(res.status).toBe(201);
    const brief = await res.json<{ id: string }>();
    const open = await (await call("/v1/collaborations?limit=100", { headers: creator })).json<{
      data: { id: string }[];
    }>();
    expect(open.data.map((b) => b.id)).toContain(brief.id);
    res = await call(
      `/v1/collaborations/${brief.id}/applications`,
      post({ pitch: "200 个铁粉" }, { ...creator, ...idempotencyKey() }),
    );
    expect(res.status).toBe(201);
    const application = await res.json<{ id: string }>();
    const applicationPath = `/v1/collaboration-applications/${application.id}`;
    expect((await call(`${applicationPath}/accept`, post({}, secret))).status).toBe(200);
    expect((await call(`${applicationPath}/submission`, post({ noteId: note.id }, creator))).status).toBe(200);
    expect((await call(`${applicationPath}/approve`, post({}, secret))).status).toBe(200);
    const labelled = await (await call(`/v1/notes/${note.id}`, { headers: pk })).json<{
      paidPartnership: { collaborationId: string } | null;
    }>();
    expect(labelled.paidPartnership).toMatchObject({ collaborationId: brief.id });
    expect((await earnings()).collaborationFees.totals).toEqual([
      { currency: "CNY", payable: { amount: 30_000, currency: "CNY" } },
    ]);

    // 6. A shopper buys through the note: 12000 at the plan's 20% = 2400 pending, by creator and by plan.
    const shopper = await shopperSession(pk);
    const cart = await (await call("/v1/carts", post({}, shopper))).json<{ id: string }>();
    expect(
      (
        await call(
          `/v1/carts/${cart.id}/lines`,
          post({ skuId, quantity: 1, attribution: note.products[0]?.attribution }, shopper),
        )
      ).status,
    ).toBe(200);
    res = await call(`/v1/carts/${cart.id}/checkout`, post({}, { ...shopper, ...idempotencyKey() }));
    const order = await res.json<{ id: string; payment: { id: string } }>();
    expect(
      (
        await call(
          `/v1/payments/${order.payment.id}/sandbox`,
          post({ outcome: "succeed" }, { ...shopper, ...idempotencyKey() }),
        )
      ).status,
    ).toBe(200);
    let mine = await earnings();
    expect(mine.totals[0]).toMatchObject({
      earned: { amount: 2_400 },
      reversed: { amount: 0 },
      pending: { amount: 2_400 },
    });
    expect(mine.data.map((e) => [e.kind, e.orderId, e.affiliatePlanId])).toEqual([["earned", order.id, plan.id]]);
    let sold = await figures();
    expect(sold.byCreator).toEqual([
      expect.objectContaining({
        creatorId,
        gmv: expect.objectContaining({ amount: 12_000 }),
        orders: 1,
        commission: expect.objectContaining({ amount: 2_400 }),
      }),
    ]);
    expect(sold.byPlan).toEqual([expect.objectContaining({ affiliatePlanId: plan.id, orders: 1 })]);

    // 7. Refunded in full: the commission is reversed; the figures keep the GMV and show nothing owed.
    expect((await call(`/v1/orders/${order.id}/refunds`, post({}, { ...secret, ...idempotencyKey() }))).status).toBe(
      201,
    );
    mine = await earnings();
    expect(mine.totals[0]).toMatchObject({
      earned: { amount: 2_400 },
      reversed: { amount: 2_400 },
      pending: { amount: 0 },
    });
    expect(mine.data.map((e) => e.kind)).toEqual(["reversal", "earned"]);
    sold = await figures();
    expect(sold.byCreator[0]).toMatchObject({ gmv: { amount: 12_000 }, commission: { amount: 0 } });
  });
});
