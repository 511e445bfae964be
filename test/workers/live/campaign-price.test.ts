// The live room prices its shelf and pinned product with shared/pricing.ts: a campaign's price on its main day.
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { campaignPrices, campaignProducts, campaigns } from "#shared/schema.ts";
import { campaignTerms } from "../sale-terms.ts";
import { db, hostWithShelf, join, scheduled, tokensFor } from "./helpers.ts";

describe("the pinned product during a campaign", () => {
  it("shows the campaign price on the main day (the list price of a product not in it)", async () => {
    const { host, merchant, productIds } = await hostWithShelf([{ price: 9_900 }, { price: 9_900 }], "主播");
    const [inCampaign = "", outside = ""] = productIds;
    const [sku] = await db().query.skus.findMany({ where: (s, { eq }) => eq(s.productId, inCampaign) });
    const campaignId = newId("cmp");
    await db().batch([
      db()
        .insert(campaigns)
        .values({ id: campaignId, ...campaignTerms(-60_000) }),
      db().insert(campaignProducts).values({ campaignId, productId: inCampaign, merchantId: merchant.id }),
      db()
        .insert(campaignPrices)
        .values({ campaignId, skuId: sku?.id ?? "", productId: inCampaign, priceAmount: 7_900 }),
    ]);
    const { id } = await scheduled(host, { productIds: [inCampaign, outside] });
    const hostClient = await join(await tokensFor(id, host));
    hostClient.send({ type: "pin", productId: inCampaign });
    expect(await hostClient.nextOfType("pinned")).toMatchObject({
      product: { productId: inCampaign, price: { amount: 7_900 } },
    });
    hostClient.send({ type: "pin", productId: outside });
    expect(await hostClient.nextOfType("pinned")).toMatchObject({
      product: { productId: outside, price: { amount: 9_900 } },
    });
  });
});
