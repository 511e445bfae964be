// GMV in a session's totals: the attributed lines of its paid, fulfilled or delivered orders, per currency; stored
// when it ends and computed again on every replay read, so orders paid after the stream count. The orders are
// written through the schema here (checkout runs in another Worker); the columns are the ones checkout fills.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { carts, orderLines, orders, skus } from "#shared/schema.ts";
import { type Caller, call, db, newCreator, newMerchant, newProduct, newShopper, scheduled } from "./helpers.ts";

let host: Caller;
let merchant: Caller;
let shopper: Caller;
let productId: string;
let skuId: string;

beforeAll(async () => {
  host = await newCreator();
  merchant = await newMerchant();
  shopper = await newShopper();
  productId = await newProduct(merchant.id, { price: 8900 });
  skuId = (await db().select({ id: skus.id }).from(skus).where(eq(skus.productId, productId)))[0]?.id ?? "";
});

type Status = (typeof orders.$inferSelect)["status"];

/** An order with its lines (quantity, unit amount, the session each is attributed to) in one currency. */
async function order(
  status: Status,
  currency: string,
  lines: { quantity: number; unitAmount: number; liveSessionId: string | null }[],
): Promise<string> {
  const cartId = newId("cart");
  const id = newId("ord");
  const total = lines.reduce((sum, l) => sum + l.quantity * l.unitAmount, 0);
  await db().batch([
    db()
      .insert(carts)
      .values({ id: cartId, ownerId: shopper.id, merchantId: merchant.id, currency, status: "checked_out" }),
    db()
      .insert(orders)
      .values({
        id,
        number: `ZC-TEST-${id.slice(-8)}`,
        cartId,
        ownerId: shopper.id,
        merchantId: merchant.id,
        status,
        currency,
        subtotalAmount: total,
        discountAmount: 0,
        shippingAmount: 0,
        taxAmount: 0,
        totalAmount: total,
        paymentDueAt: new Date(Date.now() + 1_800_000).toISOString(),
      }),
    db()
      .insert(orderLines)
      .values(
        lines.map((l, i) => ({
          orderId: id,
          position: i + 1,
          skuId,
          productId,
          title: "直播商品",
          quantity: l.quantity,
          unitAmount: l.unitAmount,
          liveSessionId: l.liveSessionId,
          creatorId: l.liveSessionId ? host.id : null,
        })),
      ),
  ]);
  return id;
}

interface Totals {
  gmv: { amount: number; currency: string }[];
  gmvAtEnd: { amount: number; currency: string }[] | null;
}

async function totals(id: string): Promise<Totals> {
  const res = await call("GET", `/v1/live/sessions/${id}/replay`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ totals: Totals }>()).totals;
}

describe("GMV in a session's totals", () => {
  it("sums attributed lines of paid, fulfilled and delivered orders per currency, at the end and as it is now", async () => {
    const { id } = await scheduled(host, { productIds: [productId] });
    const other = await scheduled(host);
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: host })).status).toBe(200);

    await order("paid", "CNY", [
      { quantity: 2, unitAmount: 8900, liveSessionId: id },
      { quantity: 1, unitAmount: 5000, liveSessionId: null }, // not from the stream
    ]);
    await order("fulfilled", "USD", [{ quantity: 3, unitAmount: 1000, liveSessionId: id }]);
    await order("delivered", "CNY", [{ quantity: 1, unitAmount: 100, liveSessionId: id }]);
    await order("cancelled", "CNY", [{ quantity: 5, unitAmount: 8900, liveSessionId: id }]);
    await order("paid", "CNY", [{ quantity: 4, unitAmount: 8900, liveSessionId: other.id }]);
    const unpaid = await order("pending_payment", "CNY", [{ quantity: 1, unitAmount: 8900, liveSessionId: id }]);

    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    const atEnd = [
      { amount: 17_900, currency: "CNY" },
      { amount: 3_000, currency: "USD" },
    ];
    expect(await totals(id)).toMatchObject({ gmv: atEnd, gmvAtEnd: atEnd });

    // Paid after the stream: the replay counts it now; the figure stored at the end stays.
    await db().update(orders).set({ status: "paid" }).where(eq(orders.id, unpaid));
    expect(await totals(id)).toMatchObject({
      gmv: [
        { amount: 26_800, currency: "CNY" },
        { amount: 3_000, currency: "USD" },
      ],
      gmvAtEnd: atEnd,
    });
  }, 20_000); // the file's first test starts the Worker cold: on a busy machine, past the default 5 s

  it("is empty for a session nothing was bought from", async () => {
    const { id } = await scheduled(host);
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: host })).status).toBe(200);
    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    expect(await totals(id)).toMatchObject({ gmv: [], gmvAtEnd: [] });
  });
});
