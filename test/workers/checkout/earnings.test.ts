// A creator's earnings (pending, payable, reversed; per month; each entry naming its order line and plan) and the
// merchant's sales through creators by creator and by plan, for a creator of the test's own so no other test counts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { creators as creatorsTable } from "#shared/schema.ts";
import { asCreator, asMerchant } from "./callers.ts";
import { call, cny, key, newMerchant } from "./helpers.ts";
import { deliver, deliveredDaysAgo, paidOrderOf } from "./returns-helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Earnings {
  object: string;
  creatorId: string;
  totals: { currency: string; earned: Money; reversed: Money; pending: Money; payable: Money }[];
  months: { month: string; earned: Money; reversed: Money; net: Money; pending: Money; payable: Money }[];
  data: { kind: string; orderId: string; position: number; amount: Money; affiliatePlanId: string | null }[];
  nextCursor: string | null;
}
interface FigureRow {
  currency: string;
  gmv: Money;
  orders: number;
  commission: Money;
}

async function newCreator(): Promise<string> {
  const id = newId("cre");
  await database(env).insert(creatorsTable).values({ id, name: "小号", handle: id.toLowerCase(), followerCount: 200 });
  return id;
}

const earnings = async (headers: Record<string, string>, query = "") => {
  const res = await call("GET", `/v1/creators/me/earnings${query}`, { headers });
  expect(res.status).toBe(200);
  return res.json<Earnings>();
};

describe("a creator's earnings and the merchant's sales through creators", () => {
  it("adds up by status and month, traces each entry to its line and plan, and splits the merchant's figures", async () => {
    const merchant = await newMerchant(800);
    const creator = await newCreator();
    const other = await newCreator();
    const plan = await (
      await call("POST", "/v1/affiliate-plans", {
        headers: asMerchant(merchant),
        key: key(),
        body: { type: "targeted", creatorIds: [creator], commissionRateBps: 2_000 },
      })
    ).json<{ id: string }>();
    expect((await call("POST", `/v1/affiliate-plans/${plan.id}/accept`, { headers: asCreator(creator) })).status).toBe(
      200,
    );

    // Order A: 3000 × 2 through the plan (20%: 1200) and 1000 × 1 by the other creator at the merchant's 800 (80).
    const a = await paidOrderOf("earn1", merchant, [
      { price: 3_000, quantity: 2, creator },
      { price: 1_000, quantity: 1, creator: other },
    ]);
    // Order B: 5000 × 1 through the plan: 1000; delivered 8 days ago, so payable.
    const b = await paidOrderOf("earn1", merchant, [{ price: 5_000, quantity: 1, creator }]);
    await deliver(b.order.id, merchant);
    await deliveredDaysAgo(b.order.id, 8);
    // One of order A's two units refunded: 600 reversed.
    const refund = await call("POST", `/v1/orders/${a.order.id}/refunds`, {
      headers: asMerchant(merchant),
      key: key(),
      body: { lines: [{ position: 0, quantity: 1 }] },
    });
    expect(refund.status).toBe(201);

    const mine = await earnings(asCreator(creator));
    expect(mine.totals).toEqual([
      { currency: "CNY", earned: cny(2_200), reversed: cny(600), pending: cny(600), payable: cny(1_000) },
    ]);
    const month = new Date().toISOString().slice(0, 7);
    expect(mine.months).toEqual([
      {
        month,
        currency: "CNY",
        earned: cny(2_200),
        reversed: cny(600),
        net: cny(1_600),
        pending: cny(600),
        payable: cny(1_000),
      },
    ]);
    // Newest first: A's reversal, B's entry, A's entry; each names its order line and the plan.
    expect(mine.data.map((e) => [e.kind, e.orderId, e.position, e.amount.amount, e.affiliatePlanId])).toEqual([
      ["reversal", a.order.id, 0, -600, plan.id],
      ["earned", b.order.id, 0, 1_000, plan.id],
      ["earned", a.order.id, 0, 1_200, plan.id],
    ]);
    // Cursor pages hold the same entries.
    const first = await earnings(asCreator(creator), "?limit=2");
    expect(first.data).toHaveLength(2);
    const second = await earnings(asCreator(creator), `?limit=2&cursor=${first.nextCursor}`);
    expect([...first.data, ...second.data]).toEqual(mine.data);
    // The other creator sees only its own line; a live-mode session sees none of these test orders.
    expect((await earnings(asCreator(other))).data.map((e) => e.amount.amount)).toEqual([80]);
    const live = {
      [PRINCIPAL_HEADER]: encodePrincipal({
        actor: { type: "creator", creatorId: creator, sessionId: "ses_test" },
        storefront: { keyId: "key_live", merchantId: merchant, mode: "live" },
      }),
    };
    expect(await earnings(live)).toMatchObject({ totals: [], months: [], data: [] });
    // Only creators: a merchant's key is 401.
    expect((await call("GET", "/v1/creators/me/earnings", { headers: asMerchant(merchant) })).status).toBe(401);

    // The merchant's figures: GMV, orders and net commission by creator and by plan (null: no plan).
    const res = await call("GET", "/v1/analytics/merchants/me/affiliates", { headers: asMerchant(merchant) });
    expect(res.status).toBe(200);
    const figures = await res.json<{
      byCreator: (FigureRow & { creatorId: string })[];
      byPlan: (FigureRow & { affiliatePlanId: string | null })[];
    }>();
    expect(figures.byCreator).toEqual([
      { creatorId: creator, currency: "CNY", gmv: cny(11_000), orders: 2, commission: cny(1_600) },
      { creatorId: other, currency: "CNY", gmv: cny(1_000), orders: 1, commission: cny(80) },
    ]);
    expect(figures.byPlan).toEqual([
      { affiliatePlanId: plan.id, currency: "CNY", gmv: cny(11_000), orders: 2, commission: cny(1_600) },
      { affiliatePlanId: null, currency: "CNY", gmv: cny(1_000), orders: 1, commission: cny(80) },
    ]);
    // Another merchant's figures hold none of it; a key without analytics:read is 403; another's id is 404.
    const theirs = await call("GET", "/v1/analytics/merchants/me/affiliates", {
      headers: asMerchant(await newMerchant()),
    });
    expect(await theirs.json()).toMatchObject({ byCreator: [], byPlan: [] });
    expect(
      (
        await call("GET", "/v1/analytics/merchants/me/affiliates", {
          headers: asMerchant(merchant, ["orders:read"]),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call("GET", `/v1/analytics/merchants/${await newMerchant()}/affiliates`, {
          headers: asMerchant(merchant),
        })
      ).status,
    ).toBe(404);
  });
});
