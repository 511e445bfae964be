// One price everywhere: during a campaign's main day the product page, a search hit and a cart line show the same
// unit price (shared/pricing.ts), and the page and the hit the campaign's badge; a coupon and spend-and-save through
// the gateway's routes reach the checkout Worker.
import { describe, expect, it } from "vitest";
import { campaignTerms } from "../sale-terms.ts";
import { bearer, call, idempotencyKey, onboardMerchant, operator, post, shopperSession } from "./helpers.ts";

interface Money {
  amount: number;
  currency: string;
}

const at = (ms: number) => new Date(Date.now() + ms).toISOString();

describe("one pricing function", () => {
  it("the product page, search and the cart agree on the campaign price, and show its badge", async () => {
    const merchant = await onboardMerchant();
    const secret = bearer(merchant.secretKey.key);
    const title = `双11精华 serum ${crypto.randomUUID().slice(0, 8)}`;
    let res = await call(
      "/v1/products",
      post(
        {
          title,
          status: "active",
          skus: [
            { options: { size: "30ml" }, price: { amount: 32_000, currency: "CNY" }, stock: 10 },
            { options: { size: "50ml" }, price: { amount: 48_000, currency: "CNY" }, stock: 10 },
          ],
        },
        secret,
      ),
    );
    expect(res.status).toBe(201);
    const product = await res.json<{ id: string; skus: { id: string }[] }>();
    const [small = "", large = ""] = product.skus.map((s) => s.id);

    res = await call("/v1/campaigns", post(campaignTerms(-60_000), operator()));
    expect(res.status).toBe(201);
    const campaign = await res.json<{ id: string }>();
    res = await call(
      `/v1/campaigns/${campaign.id}/products`,
      post({ productId: product.id, prices: [{ skuId: small, price: { amount: 25_900, currency: "CNY" } }] }, secret),
    );
    expect(res.status).toBe(201);

    const page = await (await call(`/v1/products/${product.id}`)).json<{
      skus: { id: string; price: Money; unitPrice: Money }[];
      campaign: { id: string; badge: string; period: string } | null;
    }>();
    expect(page.campaign).toMatchObject({ id: campaign.id, badge: "双11", period: "main" });
    expect(page.skus.map((s) => [s.price.amount, s.unitPrice.amount])).toEqual([
      [32_000, 25_900],
      [48_000, 48_000],
    ]);

    const search = await (await call(`/v1/search?type=products&q=${encodeURIComponent(title)}`)).json<{
      data: { id: string; price: Money; campaign: { badge: string; period: string } | null }[];
    }>();
    const hit = search.data.find((h) => h.id === product.id);
    // The lowest unit price of the product: the 30ml's campaign price.
    expect(hit).toMatchObject({ price: { amount: 25_900 }, campaign: { badge: "双11", period: "main" } });

    const pk = { "x-publishable-key": merchant.publishableKey.key };
    const shopper = await shopperSession(pk);
    const cart = await (await call("/v1/carts", post({}, shopper))).json<{ id: string }>();
    for (const skuId of [small, large]) {
      res = await call(`/v1/carts/${cart.id}/lines`, post({ skuId, quantity: 1 }, shopper));
      expect(res.status).toBe(200);
    }
    const priced = await res.json<{ lines: { skuId: string; unitPrice: Money }[] }>();
    expect(priced.lines.map((l) => [l.skuId, l.unitPrice.amount])).toEqual(
      page.skus.map((s) => [s.id, s.unitPrice.amount]),
    );

    // A merchant coupon, claimed and applied through the gateway: 20.00 off the 739.00.
    res = await call(
      "/v1/coupons",
      post(
        {
          name: "店铺券20元",
          kind: "fixed",
          amountOff: { amount: 2_000, currency: "CNY" },
          currency: "CNY",
          startsAt: at(-60_000),
          endsAt: at(3_600_000),
          quantity: 10,
        },
        secret,
      ),
    );
    expect(res.status).toBe(201);
    const coupon = await res.json<{ id: string }>();
    expect((await call(`/v1/coupons/${coupon.id}/claims`, post({}, { ...shopper, ...idempotencyKey() }))).status).toBe(
      201,
    );
    res = await call(`/v1/carts/${cart.id}/coupons`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...shopper },
      body: JSON.stringify({ couponIds: [coupon.id] }),
    });
    expect(res.status).toBe(200);
    res = await call(`/v1/carts/${cart.id}/checkout`, post({}, { ...shopper, ...idempotencyKey() }));
    expect(res.status).toBe(201);
    const order = await res.json<{ totals: { subtotal: Money; total: Money } }>();
    expect(order.totals.subtotal.amount).toBe(73_900);
    expect(order.totals.total.amount).toBe(71_900);
    // Five Workers start cold for this one test (search loads its pinyin dictionary on the first write).
  }, 60_000);
});
