// The selection centre: a creator sees the active products under running plans open to it (open plans, targeted
// plans it accepted), at the best plan's rate for it, with earnings per sale, 30-day units and return rate; filters,
// `q` through the search index (Chinese and pinyin), sorts and cursors. A category of the test's own keeps other
// tests' open plans out of its answers.
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import {
  affiliatePlanCreators,
  affiliatePlanProducts,
  affiliatePlanRates,
  affiliatePlans,
  carts,
  orderLines,
  orders,
  returnLines,
  returns,
} from "#shared/schema.ts";
import { as } from "../principals.ts";
import { call } from "./client.ts";
import { db, newCreator, newMerchant, newProduct, uniqueWord } from "./fixtures.ts";

interface Item {
  productId: string;
  price: { amount: number };
  commissionRateBps: number;
  affiliatePlanId: string;
  estimatedEarnings: { amount: number };
  unitsSold30d: number;
  returnRate: number;
  merchant: { id: string };
}
interface Page {
  data: Item[];
  nextCursor: string | null;
}

const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

async function plan(
  merchantId: string,
  spec: { rateBps: number; productIds?: string[]; accepted?: string[]; invited?: string[]; endsAt?: string },
): Promise<string> {
  const id = newId("afp");
  const targeted = spec.accepted !== undefined || spec.invited !== undefined;
  const named = [
    ...(spec.accepted ?? []).map((creatorId) => ({
      planId: id,
      creatorId,
      status: "accepted" as const,
      decidedAt: hourAgo,
    })),
    ...(spec.invited ?? []).map((creatorId) => ({ planId: id, creatorId, status: "invited" as const })),
  ];
  await db().batch([
    db()
      .insert(affiliatePlans)
      .values({
        id,
        merchantId,
        type: targeted ? "targeted" : "open",
        allProducts: spec.productIds === undefined,
        startsAt: hourAgo,
        endsAt: spec.endsAt ?? null,
      }),
    db().insert(affiliatePlanRates).values({ planId: id, effectiveAt: hourAgo, rateBps: spec.rateBps }),
    ...(spec.productIds
      ? [
          db()
            .insert(affiliatePlanProducts)
            .values(spec.productIds.map((productId) => ({ planId: id, productId }))),
        ]
      : []),
    ...(named.length > 0 ? [db().insert(affiliatePlanCreators).values(named)] : []),
  ]);
  return id;
}

/** A paid test-mode order of `quantity` units of the product, `returned` of them returned and approved. */
async function sold(merchantId: string, productId: string, quantity: number, returned = 0): Promise<void> {
  const cartId = newId("cart");
  const orderId = newId("ord");
  const returnId = newId("ret");
  await db().batch([
    db().insert(carts).values({ id: cartId, ownerId: "shp_TESTSELECTION", status: "checked_out" }),
    db()
      .insert(orders)
      .values({
        id: orderId,
        number: `ZC-SEL-${orderId}`,
        cartId,
        ownerId: "shp_TESTSELECTION",
        merchantId,
        status: "paid",
        currency: "CNY",
        subtotalAmount: 0,
        discountAmount: 0,
        shippingAmount: 0,
        taxAmount: 0,
        totalAmount: 0,
        paymentDueAt: hourAgo,
        paidAt: hourAgo,
      }),
    db()
      .insert(orderLines)
      .values({
        orderId,
        position: 0,
        skuId: await skuOf(productId),
        productId,
        title: "t",
        quantity,
        unitAmount: 100,
      }),
    ...(returned > 0
      ? [
          db().insert(returns).values({
            id: returnId,
            orderId,
            merchantId,
            customerId: "shp_TESTSELECTION",
            status: "approved",
            reason: "r",
          }),
          db().insert(returnLines).values({ returnId, orderId, position: 0, quantity: returned }),
        ]
      : []),
  ]);
}

async function skuOf(productId: string): Promise<string> {
  const { rows } = await db().$client.execute({
    sql: "SELECT id FROM skus WHERE product_id = ? LIMIT 1",
    args: [productId],
  });
  return String(rows[0]?.id);
}

const asCreator = (creatorId: string, mode?: "live") =>
  mode
    ? {
        [PRINCIPAL_HEADER]: encodePrincipal({
          actor: { type: "creator", creatorId, sessionId: "s" },
          storefront: { keyId: "k", merchantId: "m", mode },
        }),
      }
    : as({ type: "creator", creatorId, sessionId: "s" });

async function selection(creatorId: string, params: Record<string, string | number>): Promise<Page> {
  const res = await call(
    `/v1/selection?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`,
    {
      headers: asCreator(creatorId),
    },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Page>();
}

describe("the selection centre", () => {
  it("lists what the creator may promote at its best rate, with filters, q, sorts and cursors", async () => {
    const category = uniqueWord("sel");
    const makeup = uniqueWord("mk");
    const merchant = await newMerchant("选品测试店");
    const elsewhere = await newMerchant();
    const creator = await newCreator("小博主", 200);
    const stranger = await newCreator();
    const cream = await newProduct({
      merchantId: merchant,
      title: "玻尿酸面霜 hyaluronic cream",
      category,
      skus: [
        { price: 10_000, stock: 5 },
        { price: 12_000, stock: 5 },
      ],
    });
    const rich = await newProduct({
      merchantId: merchant,
      title: "保湿面霜 moisturising cream",
      category,
      skus: [{ price: 20_000, stock: 5 }],
    });
    const lipstick = await newProduct({
      merchantId: merchant,
      title: "丝绒口红 velvet lipstick",
      category: makeup,
      skus: [{ price: 5_000, stock: 5 }],
    });
    await newProduct({ merchantId: merchant, title: "草稿面霜 draft cream", category, status: "draft" });
    const notOffered = await newProduct({ merchantId: elsewhere, title: "别家面霜 other cream", category });
    // Open: every product of the merchant at 10%. Targeted at 30% on the rich cream (accepted), at 50% on the
    // lipstick (only invited: not yet the creator's), and an ended plan at 90%.
    const open = await plan(merchant, { rateBps: 1_000 });
    const targeted = await plan(merchant, { rateBps: 3_000, productIds: [rich], accepted: [creator] });
    await plan(merchant, { rateBps: 5_000, productIds: [lipstick], invited: [creator] });
    await plan(merchant, { rateBps: 9_000, endsAt: hourAgo });
    await plan(elsewhere, { rateBps: 2_000, productIds: [notOffered], invited: [creator] });
    // 30-day sales: 5 creams (2 returned), 1 rich cream.
    await sold(merchant, cream, 5, 2);
    await sold(merchant, rich, 1);

    const all = await selection(creator, { category });
    expect(
      all.data.map((i) => [
        i.productId,
        i.commissionRateBps,
        i.affiliatePlanId,
        i.price.amount,
        i.estimatedEarnings.amount,
      ]),
    ).toEqual([
      [rich, 3_000, targeted, 20_000, 6_000],
      [cream, 1_000, open, 10_000, 1_000],
    ]);
    expect(all.data[1]).toMatchObject({ unitsSold30d: 5, returnRate: 0.4, merchant: { id: merchant } });
    expect(all.data[0]).toMatchObject({ unitsSold30d: 1, returnRate: 0 });
    // Another creator: the open plan only.
    expect((await selection(stranger, { category })).data.map((i) => [i.productId, i.commissionRateBps])).toEqual([
      [rich, 1_000],
      [cream, 1_000],
    ]);
    // A live-mode session counts live orders only: none.
    const live = await call(`/v1/selection?category=${category}`, { headers: asCreator(creator, "live") });
    expect((await live.json<Page>()).data.map((i) => i.unitsSold30d)).toEqual([0, 0]);

    // Sorts and cursors.
    expect((await selection(creator, { category, sort: "sales" })).data.map((i) => i.productId)).toEqual([cream, rich]);
    expect((await selection(creator, { category, sort: "rate" })).data.map((i) => i.productId)).toEqual([rich, cream]);
    const first = await selection(creator, { category, sort: "earnings", limit: 1 });
    expect(first.data.map((i) => i.productId)).toEqual([rich]);
    const second = await selection(creator, { category, sort: "earnings", limit: 1, cursor: first.nextCursor ?? "" });
    expect(second).toMatchObject({ data: [{ productId: cream }], nextCursor: null });

    // Filters.
    expect((await selection(creator, { category, minRateBps: 2_000 })).data.map((i) => i.productId)).toEqual([rich]);
    expect((await selection(creator, { category, maxPrice: 10_000 })).data.map((i) => i.productId)).toEqual([cream]);
    expect((await selection(creator, { category, minPrice: 15_000 })).data.map((i) => i.productId)).toEqual([rich]);
    expect(
      (await selection(creator, { category: makeup })).data.map((i) => [i.productId, i.commissionRateBps]),
    ).toEqual([[lipstick, 1_000]]);
    // q through the search index, in Chinese and in pinyin.
    expect((await selection(creator, { category, q: "面霜" })).data.map((i) => i.productId).sort()).toEqual(
      [cream, rich].sort(),
    );
    expect((await selection(creator, { category, q: "mianshuang" })).data.map((i) => i.productId).sort()).toEqual(
      [cream, rich].sort(),
    );
    expect((await selection(creator, { category, q: "玻尿酸" })).data.map((i) => i.productId)).toEqual([cream]);

    // Only creators; a cursor of another sort is a 400.
    expect(
      (await call("/v1/selection", { headers: as({ type: "shopper", shopperId: "shp_X", sessionId: "s" }) })).status,
    ).toBe(401);
    const wrong = await call(`/v1/selection?sort=rate&cursor=${first.nextCursor}`, { headers: asCreator(creator) });
    expect(wrong.status).toBe(400);
  });
});
