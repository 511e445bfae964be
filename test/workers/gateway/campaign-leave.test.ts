// A merchant leaving a campaign during its warm-up: through the gateway, the product page loses the badge at once
// (its cached copy purged) and so does a search hit (test/workers/checkout/promotions-end.test.ts checks the cart's
// price on the main day).
import { describe, expect, it } from "vitest";
import { campaignTerms } from "../sale-terms.ts";
import { call, merchantWithSku, operator, post, shopperSession } from "./helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Page {
  skus: { price: Money; unitPrice: Money }[];
  campaign: { id: string; badge: string } | null;
}
interface Hits {
  data: { id: string; price: Money; campaign: { badge: string } | null }[];
}

describe("leaving a campaign", () => {
  it("takes the badge off the product page and search hits at once", async () => {
    const title = `618面霜 cream ${crypto.randomUUID().slice(0, 8)}`;
    const { merchant, secret, pk, product, skuId } = await merchantWithSku(title, { price: 30_000, stock: 5 });
    let res = await call("/v1/campaigns", post(campaignTerms(3_600_000, { name: "618", badge: "618" }), operator()));
    const campaign = await res.json<{ id: string }>();
    res = await call(
      `/v1/campaigns/${campaign.id}/products`,
      post({ productId: product.id, prices: [{ skuId, price: { amount: 19_900, currency: "CNY" } }] }, secret),
    );
    expect(res.status).toBe(201);

    // A signed-in shopper's searches are never cached at the edge; the anonymous page is.
    const shopper = await shopperSession(pk);
    const page = async () => (await call(`/v1/products/${product.id}`)).json<Page>();
    const hit = async () =>
      (
        await (await call(`/v1/search?type=products&q=${encodeURIComponent(title)}`, { headers: shopper })).json<Hits>()
      ).data.find((h) => h.id === product.id);
    expect((await page()).campaign).toMatchObject({ id: campaign.id, badge: "618" });
    expect((await call(`/v1/products/${product.id}`)).headers.get("x-cache")).toBe("HIT");
    expect(await hit()).toMatchObject({ campaign: { badge: "618" } });

    res = await call(`/v1/campaigns/${campaign.id}/merchants/${merchant.id}`, { method: "DELETE", headers: secret });
    expect(res.status).toBe(204);
    expect((await page()).campaign).toBeNull();
    expect(await hit()).toMatchObject({ campaign: null, price: { amount: 30_000 } });
  }, 60_000);
});
