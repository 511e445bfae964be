// Affiliate plans: which rate a creator's sale earns (an accepted running targeted plan, then an open plan, then the
// shelf's, product's or merchant's rate), judged by the plans at the time of the sale and recorded on the entry; a
// plan ended before the refund still reverses at its rate; merchants see only their own plans, creators the open
// ones and those naming them; the invitation reaches the creator's inbox and the acceptance the merchant's webhook.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { asCreator, asMerchant, creators } from "./callers.ts";
import { call, createSkus, key, newMerchant } from "./helpers.ts";
import { paidOrderOf } from "./returns-helpers.ts";
import { createEndpoint, eventsReceived, uniqueName } from "./webhooks-helpers.ts";

interface Plan {
  id: string;
  type: "open" | "targeted";
  productIds: string[] | null;
  creators: { creatorId: string; status: string; decidedAt: string | null }[];
  commissionRateBps: number;
  status: string;
  endsAt: string | null;
}
interface Entry {
  kind: string;
  position: number;
  creatorId: string;
  amount: { amount: number; currency: string };
  rateBps: number;
  affiliatePlanId: string | null;
}

async function createPlan(merchant: string, body: Record<string, unknown>): Promise<Plan> {
  const res = await call("POST", "/v1/affiliate-plans", { headers: asMerchant(merchant), key: key(), body });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Plan>();
}

const plan = (id: string, headers: Record<string, string>) => call("GET", `/v1/affiliate-plans/${id}`, { headers });
const answer = (id: string, creator: string, what: "accept" | "decline") =>
  call("POST", `/v1/affiliate-plans/${id}/${what}`, { headers: asCreator(creator) });

/** The order's earned entries, by position. */
async function earned(merchant: string, orderId: string): Promise<Entry[]> {
  const res = await call("GET", `/v1/commissions?orderId=${orderId}&limit=100`, { headers: asMerchant(merchant) });
  expect(res.status).toBe(200);
  const { data } = await res.json<{ data: Entry[] }>();
  return data.filter((e) => e.kind === "earned").sort((a, b) => a.position - b.position);
}

const summary = (entries: Entry[]) => entries.map((e) => [e.creatorId, e.rateBps, e.amount.amount, e.affiliatePlanId]);

describe("affiliate plans: the rate of a sale", () => {
  it("accepted targeted beats open beats the shelf, product and merchant rates, as the plans stood at the sale", async () => {
    const merchant = await newMerchant(800);
    const open = await createPlan(merchant, { type: "open", commissionRateBps: 1_500 });
    const targeted = await createPlan(merchant, {
      type: "targeted",
      creatorIds: [creators[0]],
      commissionRateBps: 2_500,
    });
    expect(targeted.creators).toEqual([{ creatorId: creators[0], status: "invited", decidedAt: null }]);

    // Not yet accepted: both creators earn the open plan's 1500, over the product's 1234 and a shelf's 3000.
    // 2000 × 1 at 1500 = 300; 1000 × 2 at 1500 = 300; 4000 × 1 at 1500 = 600.
    const before = await paidOrderOf("afp1", merchant, [
      { price: 2_000, quantity: 1, creator: creators[0] },
      { price: 1_000, quantity: 2, creator: creators[1], rateBps: 1_234 },
      { price: 4_000, quantity: 1, creator: creators[1], shelfRateBps: 3_000 },
      { price: 500, quantity: 1 },
    ]);
    expect(summary(await earned(merchant, before.order.id))).toEqual([
      [creators[0], 1_500, 300, open.id],
      [creators[1], 1_500, 300, open.id],
      [creators[1], 1_500, 600, open.id],
    ]);

    // Creator 0 accepts: its sales earn the targeted 2500 (2000 × 2500 bps = 500); creator 1 keeps the open rate.
    const accepted = await answer(targeted.id, creators[0], "accept");
    expect(accepted.status).toBe(200);
    expect((await accepted.json<Plan>()).creators[0]?.status).toBe("accepted");
    // From here on, each order is one 2000 line credited to each creator.
    const eachCreatorsLine = () =>
      paidOrderOf("afp1", merchant, [
        { price: 2_000, quantity: 1, creator: creators[0] },
        { price: 2_000, quantity: 1, creator: creators[1] },
      ]);
    const after = await eachCreatorsLine();
    expect(summary(await earned(merchant, after.order.id))).toEqual([
      [creators[0], 2_500, 500, targeted.id],
      [creators[1], 1_500, 300, open.id],
    ]);

    // The open rate rises to 1800 for sales from now on; earlier sales keep theirs.
    const patched = await call("PATCH", `/v1/affiliate-plans/${open.id}`, {
      headers: asMerchant(merchant),
      body: { commissionRateBps: 1_800 },
    });
    expect((await patched.json<Plan>()).commissionRateBps).toBe(1_800);
    // The targeted plan ends: creator 0 falls back to the open plan.
    const ended = await call("POST", `/v1/affiliate-plans/${targeted.id}/end`, { headers: asMerchant(merchant) });
    expect((await ended.json<Plan>()).status).toBe("ended");
    const later = await eachCreatorsLine();
    expect(summary(await earned(merchant, later.order.id))).toEqual([
      [creators[0], 1_800, 360, open.id],
      [creators[1], 1_800, 360, open.id],
    ]);
    expect(summary(await earned(merchant, after.order.id))[1]).toEqual([creators[1], 1_500, 300, open.id]);

    // Every plan ended: the product's own rate, else the merchant's, as before plans.
    await call("POST", `/v1/affiliate-plans/${open.id}/end`, { headers: asMerchant(merchant) });
    const none = await paidOrderOf("afp1", merchant, [
      { price: 2_000, quantity: 1, creator: creators[0] },
      { price: 2_000, quantity: 1, creator: creators[1], rateBps: 1_234 },
    ]);
    expect(summary(await earned(merchant, none.order.id))).toEqual([
      [creators[0], 800, 160, null],
      [creators[1], 1_234, 246, null],
    ]);
  });

  it("a plan that ends between checkout and refund still reverses at the rate the sale earned", async () => {
    const merchant = await newMerchant(800);
    const targeted = await createPlan(merchant, {
      type: "targeted",
      creatorIds: [creators[1]],
      commissionRateBps: 3_000,
    });
    expect((await answer(targeted.id, creators[1], "accept")).status).toBe(200);
    // 2500 × 2 at 3000 bps = 1500.
    const { order } = await paidOrderOf("afp2", merchant, [{ price: 2_500, quantity: 2, creator: creators[1] }]);
    expect(summary(await earned(merchant, order.id))).toEqual([[creators[1], 3_000, 1_500, targeted.id]]);
    expect(
      (await call("POST", `/v1/affiliate-plans/${targeted.id}/end`, { headers: asMerchant(merchant) })).status,
    ).toBe(200);
    // Half the line refunded (one unit): half of 1500 reversed at the plan's rate, naming the plan.
    const refund = await call("POST", `/v1/orders/${order.id}/refunds`, {
      headers: asMerchant(merchant),
      key: key(),
      body: { lines: [{ position: 0, quantity: 1 }] },
    });
    expect(refund.status).toBe(201);
    const res = await call("GET", `/v1/commissions?orderId=${order.id}`, { headers: asCreator(creators[1]) });
    const { data } = await res.json<{ data: Entry[] }>();
    expect(data.map((e) => [e.kind, e.rateBps, e.amount.amount, e.affiliatePlanId])).toEqual([
      ["reversal", 3_000, -750, targeted.id],
      ["earned", 3_000, 1_500, targeted.id],
    ]);
  });

  it("a plan of some products credits only those", async () => {
    const merchant = await newMerchant(800);
    const { productId } = await createSkus({ prices: [1_000], stock: 5, owner: merchant });
    await createPlan(merchant, { type: "open", productIds: [productId], commissionRateBps: 5_000 });
    // paidOrderOf makes fresh products: not in the plan, so the merchant's 800.
    const { order } = await paidOrderOf("afp3", merchant, [{ price: 1_000, quantity: 1, creator: creators[0] }]);
    expect(summary(await earned(merchant, order.id))).toEqual([[creators[0], 800, 80, null]]);
  });
});

describe("affiliate plans: who sees and changes them", () => {
  it("another merchant's plans are 404; creators see open plans and those naming them; answers are checked", async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const { productId } = await createSkus({ prices: [1_000], stock: 5, owner: merchant });
    const { productId: theirs } = await createSkus({ prices: [1_000], stock: 5, owner: other });

    // Another merchant's product, an unknown creator, a targeted plan naming no one: 400 at the field.
    const bad = async (body: unknown, path: string) => {
      const res = await call("POST", "/v1/affiliate-plans", { headers: asMerchant(merchant), body });
      expect(res.status).toBe(400);
      expect((await res.json<{ errors: { path: string }[] }>()).errors.map((e) => e.path)).toContain(path);
    };
    await bad({ type: "open", productIds: [productId, theirs], commissionRateBps: 1_000 }, "/productIds/1");
    await bad(
      { type: "targeted", creatorIds: ["cre_NOSUCHCREATOR0000000000"], commissionRateBps: 1_000 },
      "/creatorIds/0",
    );
    await bad({ type: "targeted", commissionRateBps: 1_000 }, "/creatorIds");
    await bad({ type: "open", commissionRateBps: 9_001 }, "/commissionRateBps");

    const open = await createPlan(merchant, { type: "open", productIds: [productId], commissionRateBps: 1_000 });
    expect(open.productIds).toEqual([productId]);
    const targeted = await createPlan(merchant, {
      type: "targeted",
      creatorIds: [creators[0], creators[1]],
      commissionRateBps: 2_000,
    });

    // Another merchant: 404 on every route, and its own list does not hold them.
    for (const [method, path, body] of [
      ["GET", `/v1/affiliate-plans/${open.id}`, undefined],
      ["PATCH", `/v1/affiliate-plans/${open.id}`, { commissionRateBps: 10 }],
      ["POST", `/v1/affiliate-plans/${targeted.id}/end`, undefined],
    ] as const) {
      expect((await call(method, path, { headers: asMerchant(other), body })).status).toBe(404);
    }
    const theirList = await call("GET", "/v1/affiliate-plans", { headers: asMerchant(other) });
    expect((await theirList.json<{ data: Plan[] }>()).data).toEqual([]);
    const ownList = await call("GET", "/v1/affiliate-plans?limit=1", { headers: asMerchant(merchant) });
    const ownPage = await ownList.json<{ data: Plan[]; nextCursor: string | null }>();
    expect(ownPage.data.map((p) => p.id)).toEqual([targeted.id]);
    const next = await call("GET", `/v1/affiliate-plans?limit=1&cursor=${ownPage.nextCursor}`, {
      headers: asMerchant(merchant),
    });
    expect((await next.json<{ data: Plan[] }>()).data.map((p) => p.id)).toEqual([open.id]);
    // Scopes: reading needs affiliates:read, writing affiliates:write.
    expect((await call("GET", "/v1/affiliate-plans", { headers: asMerchant(merchant, ["orders:read"]) })).status).toBe(
      403,
    );
    expect(
      (
        await call("POST", "/v1/affiliate-plans", {
          headers: asMerchant(merchant, ["affiliates:read"]),
          body: { type: "open", commissionRateBps: 1_000 },
        })
      ).status,
    ).toBe(403);

    // A creator sees the open plan, and the targeted one with its own answer only.
    const seen = await plan(targeted.id, asCreator(creators[1]));
    expect((await seen.json<Plan>()).creators).toEqual([
      { creatorId: creators[1], status: "invited", decidedAt: null },
    ]);
    expect((await plan(open.id, asCreator(creators[1]))).status).toBe(200);
    // Answering an open plan (it names no one) is a 404; a creator cannot change a plan.
    expect((await answer(open.id, creators[0], "accept")).status).toBe(404);
    expect(
      (await call("PATCH", `/v1/affiliate-plans/${open.id}`, { headers: asCreator(creators[0]), body: {} })).status,
    ).toBe(401);

    // Creator 1 declines, then may still accept; accepted, it can no longer decline.
    expect((await answer(targeted.id, creators[1], "decline")).status).toBe(200);
    expect((await answer(targeted.id, creators[1], "accept")).status).toBe(200);
    expect((await answer(targeted.id, creators[1], "accept")).status).toBe(200);
    expect((await answer(targeted.id, creators[1], "decline")).status).toBe(409);
    // Ended: no more answers, and no more changes.
    await call("POST", `/v1/affiliate-plans/${targeted.id}/end`, { headers: asMerchant(merchant) });
    expect((await answer(targeted.id, creators[0], "accept")).status).toBe(409);
    const change = await call("PATCH", `/v1/affiliate-plans/${targeted.id}`, {
      headers: asMerchant(merchant),
      body: { commissionRateBps: 10 },
    });
    expect(change.status).toBe(409);
    const ended = await call("GET", "/v1/affiliate-plans?status=ended", { headers: asMerchant(merchant) });
    expect((await ended.json<{ data: Plan[] }>()).data.map((p) => p.id)).toEqual([targeted.id]);
  });

  it("the invited creator finds it in its inbox; the merchant is told of an acceptance once", async () => {
    const merchant = await newMerchant();
    const name = uniqueName();
    await createEndpoint(merchant, name, { eventTypes: ["affiliate_plan.accepted"] });
    const targeted = await createPlan(merchant, {
      type: "targeted",
      creatorIds: [creators[0]],
      commissionRateBps: 1_200,
    });
    const inbox = await database(env).$client.execute({
      sql: "SELECT person_id, kind, link FROM notifications WHERE subject_id = ?",
      args: [targeted.id],
    });
    expect(inbox.rows.map((r) => [r.person_id, r.kind, r.link])).toEqual([
      [creators[0], "affiliate_plan_invited", `/v1/affiliate-plans/${targeted.id}`],
    ]);

    expect((await answer(targeted.id, creators[0], "accept")).status).toBe(200);
    expect((await answer(targeted.id, creators[0], "accept")).status).toBe(200);
    const got = await eventsReceived(name, 1);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      type: "affiliate_plan.accepted",
      data: { id: targeted.id, object: "affiliate_plan", creatorId: creators[0], status: "accepted" },
    });
  });
});
