// Campaigns: the operator creates them, merchants join with their own products and campaign prices; carts charge
// the campaign price on the main day only; a campaign's spend-and-save and coupons cover its products only.
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { inMs } from "../sale-terms.ts";
import { asMerchant, operator, shopper } from "./callers.ts";
import { call, cny, createSkus, key, newMerchant } from "./helpers.ts";
import { applyCoupons, cartOf, claim, createCampaign, issueCoupon, spendAndSave } from "./promotions-helpers.ts";

interface Cart {
  id: string;
  lines: { listPrice: { amount: number }; unitPrice: { amount: number }; discount: { amount: number } }[];
  totals: {
    subtotal: { amount: number };
    discounts: { code: string; amount: { amount: number } }[];
    total: { amount: number };
  };
}

const join = (campaignId: string, merchant: string, body: unknown) =>
  call("POST", `/v1/campaigns/${campaignId}/products`, { headers: asMerchant(merchant), body });

describe("campaigns", () => {
  it("the operator creates one with its periods; merchants may not; bad periods are 400", async () => {
    const presaleStartsAt = inMs(-3_660_000);
    const campaign = await createCampaign(-60_000, { presaleStartsAt });
    expect(campaign).toMatchObject({ object: "campaign", badge: "双11", period: "main", presaleStartsAt });
    expect(await (await call("GET", `/v1/campaigns/${campaign.id}`, {})).json()).toMatchObject({ id: campaign.id });
    const later = await createCampaign(5_400_000);
    expect(later.period).toBe("warmup");
    const list = await (await call("GET", "/v1/campaigns", {})).json<{ data: { id: string }[] }>();
    expect(list.data.map((c) => c.id)).toEqual(expect.arrayContaining([campaign.id, later.id]));

    const body = { name: "x", badge: "x", warmupStartsAt: inMs(0), mainStartsAt: inMs(1_000), endsAt: inMs(2_000) };
    expect((await call("POST", "/v1/campaigns", { headers: asMerchant(await newMerchant()), body })).status).toBe(401);
    const bad = await call("POST", "/v1/campaigns", { headers: operator, body: { ...body, endsAt: inMs(500) } });
    expect(await bad.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/endsAt" }] });
    const presale = await call("POST", "/v1/campaigns", {
      headers: operator,
      body: { ...body, presaleStartsAt: inMs(1_500) },
    });
    expect(await presale.json()).toMatchObject({ errors: [{ path: "/presaleStartsAt" }] });
    expect((await call("GET", `/v1/campaigns/${newId("cmp")}`, {})).status).toBe(404);
  });

  it("a merchant joins with its own product; campaign prices below the list, in its currency, of its SKUs", async () => {
    const m = await newMerchant();
    const campaign = await createCampaign(-60_000);
    const { productId, skuIds } = await createSkus({ prices: [10_000, 20_000], stock: 5, owner: m });
    const [a = "", b = ""] = skuIds;
    const refusals: [unknown, string][] = [
      [{ productId, prices: [{ skuId: a, price: cny(10_000) }] }, "/prices/0"],
      [{ productId, prices: [{ skuId: a, price: { amount: 1, currency: "USD" } }] }, "/prices/0"],
      [{ productId, prices: [{ skuId: newId("sku"), price: cny(1) }] }, "/prices/0"],
    ];
    for (const [body, path] of refusals) {
      expect(await (await join(campaign.id, m, body)).json()).toMatchObject({
        code: "validation_failed",
        errors: [{ path }],
      });
    }
    const foreign = await join(campaign.id, await newMerchant(), { productId });
    expect(foreign.status).toBe(404);
    const noScope = await call("POST", `/v1/campaigns/${campaign.id}/products`, {
      headers: asMerchant(m, ["catalog:write"]),
      body: { productId },
    });
    expect(noScope.status).toBe(403);

    const joined = await join(campaign.id, m, { productId, prices: [{ skuId: b, price: cny(15_000) }] });
    expect(joined.status).toBe(201);
    expect(await joined.json()).toMatchObject({ productId, merchantId: m, prices: [{ skuId: b, price: cny(15_000) }] });
    const listed = await (await call("GET", `/v1/campaigns/${campaign.id}/products`, {})).json();
    expect(listed).toEqual({
      data: [expect.objectContaining({ productId, prices: [{ skuId: b, price: cny(15_000) }] })],
    });
  });

  it("a cart charges the campaign price on the main day, the list price during the warm-up", async () => {
    const m = await newMerchant();
    const main = await createCampaign(-60_000);
    const warm = await createCampaign(5_400_000);
    const { productId: p1, skuIds: s1 } = await createSkus({ prices: [10_000], stock: 5, owner: m });
    const { productId: p2, skuIds: s2 } = await createSkus({ prices: [10_000], stock: 5, owner: m });
    expect((await join(main.id, m, { productId: p1, prices: [{ skuId: s1[0], price: cny(7_900) }] })).status).toBe(201);
    expect((await join(warm.id, m, { productId: p2, prices: [{ skuId: s2[0], price: cny(7_900) }] })).status).toBe(201);
    const cart = await cartOf<Cart>("cmc", [
      { skuId: s1[0] ?? "", quantity: 2 },
      { skuId: s2[0] ?? "", quantity: 1 },
    ]);
    expect(cart.lines.map((l) => [l.listPrice.amount, l.unitPrice.amount])).toEqual([
      [10_000, 7_900],
      [10_000, 10_000],
    ]);
    // 2 × 79.00 + 100.00 = 258.00, no discounts, free shipping.
    expect(cart.totals.total).toEqual(cny(25_800));
    const order = await (
      await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: shopper("cmc"), key: key() })
    ).json<{ lines: { unitPrice: { amount: number } }[]; totals: { total: { amount: number } } }>();
    expect(order.lines.map((l) => l.unitPrice.amount)).toEqual([7_900, 10_000]);
    expect(order.totals.total).toEqual(cny(25_800));
  });

  it("a campaign's spend-and-save and coupon cover its products only", async () => {
    const m = await newMerchant();
    const campaign = await createCampaign(-60_000);
    const { productId, skuIds } = await createSkus({ prices: [25_000], stock: 5, owner: m });
    const { skuIds: outside } = await createSkus({ prices: [25_000], stock: 5, owner: m });
    expect((await join(campaign.id, m, { productId })).status).toBe(201);
    // A merchant may not make a campaign-wide rule; the operator does.
    const refused = await call("POST", "/v1/promotions/spend-and-save", {
      headers: asMerchant(m),
      body: {
        name: "x",
        kind: "every",
        currency: "CNY",
        tiers: [{ threshold: 100, off: 10 }],
        startsAt: inMs(0),
        endsAt: inMs(60_000),
        campaignId: campaign.id,
      },
    });
    expect(refused.status).toBe(403);
    await spendAndSave(operator, {
      name: "满200减20, 满500减60",
      kind: "tiered",
      tiers: [
        { threshold: 20_000, off: 2_000 },
        { threshold: 50_000, off: 6_000 },
      ],
      campaignId: campaign.id,
    });
    const rules = await (await call("GET", `/v1/promotions/spend-and-save?campaignId=${campaign.id}`, {})).json();
    expect(rules).toEqual({
      data: [
        expect.objectContaining({
          object: "spend_and_save",
          campaignId: campaign.id,
          merchantId: null,
          kind: "tiered",
        }),
      ],
    });
    const coupon = await issueCoupon(operator, {
      name: "双11 platform 5%",
      kind: "percent",
      amountOff: undefined,
      percentOff: 5,
      campaignId: campaign.id,
    });
    expect((await claim(coupon.id, "cms")).status).toBe(201);

    const cart = await cartOf<Cart>("cms", [
      { skuId: skuIds[0] ?? "", quantity: 1 },
      { skuId: outside[0] ?? "", quantity: 1 },
    ]);
    // The campaign line (250.00) reaches the 200 tier only (the other line does not count): 20.00 off it. Then
    // the campaign coupon, 5% of the 230.00 left on it: 11.50. The other line: nothing. 500.00 − 31.50 = 468.50.
    const priced = await (await applyCoupons(cart.id, "cms", [coupon.id])).json<Cart>();
    expect(priced.totals.discounts.map((d) => [d.code, d.amount.amount])).toEqual([
      ["spend_and_save", 2_000],
      ["platform_coupon", 1_150],
    ]);
    expect(priced.lines.map((l) => l.discount.amount)).toEqual([3_150, 0]);
    expect(priced.totals.total).toEqual(cny(46_850));
  });
});
