// A creator's showcase through the gateway: only products under a plan open to the creator go in; the public page
// hands out the attribution reference; a shopper's purchase from it is credited to the creator at the plan's rate; a
// reference for a product the showcase does not hold credits no one.
import { describe, expect, it } from "vitest";
import { encodeAttribution } from "#shared/attribution.ts";
import {
  call,
  creatorSession,
  expectProblem,
  idempotencyKey,
  merchantWithSku,
  post,
  shopperSession,
} from "./helpers.ts";

interface Item {
  productId: string;
  creatorId: string;
  merchantId: string;
  title: string;
  price: { amount: number; currency: string } | null;
  attribution: string;
}
interface Entry {
  creatorId: string;
  rateBps: number;
  amount: { amount: number };
  affiliatePlanId: string | null;
}

const put = (path: string, headers: Record<string, string>) => call(path, { method: "PUT", headers });

/** A paid order of one unit of `skuId`, its line carrying `attribution`. */
async function buy(pk: Record<string, string>, skuId: string, attribution: string): Promise<string> {
  const shopper = await shopperSession(pk);
  const cart = await (await call("/v1/carts", post({}, shopper))).json<{ id: string }>();
  expect((await call(`/v1/carts/${cart.id}/lines`, post({ skuId, quantity: 1, attribution }, shopper))).status).toBe(
    200,
  );
  const res = await call(`/v1/carts/${cart.id}/checkout`, post({}, { ...shopper, ...idempotencyKey() }));
  expect(res.status).toBe(201);
  const order = await res.json<{ id: string; payment: { id: string } }>();
  const paid = await call(
    `/v1/payments/${order.payment.id}/sandbox`,
    post({ outcome: "succeed" }, { ...shopper, ...idempotencyKey() }),
  );
  expect(paid.status).toBe(200);
  return order.id;
}

describe("a creator's showcase", () => {
  it("holds products under a plan open to the creator, and a purchase from it credits the creator", async () => {
    const { secret, pk, product, skuId } = await merchantWithSku("橱窗面霜 Showcase cream", { price: 12_000 });
    const creator = await creatorSession("小橱窗");
    const other = await creatorSession("别人");
    const path = `/v1/creators/me/showcase/${product.id}`;

    // No plan yet: refused. A shopper or merchant may not keep a showcase.
    await expectProblem(await put(path, creator.headers), 409, "conflict");
    await expectProblem(await put(path, secret), 401, "unauthorized");
    await expectProblem(
      await put("/v1/creators/me/showcase/prod_NOSUCHPRODUCT00000000000", creator.headers),
      404,
      "not_found",
    );

    // A targeted plan naming the creator: only once accepted; the other creator stays out.
    let res = await call(
      "/v1/affiliate-plans",
      post({ type: "targeted", creatorIds: [creator.id], productIds: [product.id], commissionRateBps: 2_000 }, secret),
    );
    expect(res.status).toBe(201);
    const plan = await res.json<{ id: string }>();
    await expectProblem(await put(path, creator.headers), 409, "conflict");
    expect((await call(`/v1/affiliate-plans/${plan.id}/accept`, post({}, creator.headers))).status).toBe(200);
    res = await put(path, creator.headers);
    expect(res.status).toBe(200);
    const item = await res.json<Item>();
    expect(item).toMatchObject({ productId: product.id, creatorId: creator.id, price: { amount: 12_000 } });
    expect((await put(path, creator.headers)).status).toBe(200);
    await expectProblem(await put(path, other.headers), 409, "conflict");

    // The public page, anonymous or through the storefront: one item, with its reference.
    res = await call(`/v1/creators/${creator.id}/showcase`, { headers: pk });
    expect(res.status).toBe(200);
    const page = await res.json<{ data: Item[]; nextCursor: string | null }>();
    expect(page).toEqual({ data: [item], nextCursor: null });
    expect((await (await call(`/v1/creators/${other.id}/showcase`)).json<{ data: Item[] }>()).data).toEqual([]);
    await expectProblem(await call("/v1/creators/cre_NOSUCHCREATOR00000000000/showcase"), 404, "not_found");

    // A purchase from the showcase: the line is credited to the creator at the plan's rate (12000 × 20% = 2400).
    const orderId = await buy(pk, skuId, item.attribution);
    res = await call(`/v1/commissions?orderId=${orderId}`, { headers: creator.headers });
    const earned = (await res.json<{ data: Entry[] }>()).data;
    expect(earned.map((e) => [e.creatorId, e.rateBps, e.amount.amount, e.affiliatePlanId])).toEqual([
      [creator.id, 2_000, 2_400, plan.id],
    ]);

    // The creator's earnings (served by checkout behind the gateway) trace it to the order line.
    res = await call("/v1/creators/me/earnings", { headers: creator.headers });
    expect(res.status).toBe(200);
    const earnings = await res.json<{ totals: { pending: { amount: number } }[]; data: { orderId: string }[] }>();
    expect(earnings.totals[0]?.pending.amount).toBe(2_400);
    expect(earnings.data.map((e) => e.orderId)).toEqual([orderId]);

    // The other creator's showcase reference for the same product (forged: not in its showcase) credits no one.
    const forged = encodeAttribution({ noteId: null, liveSessionId: null, creatorId: other.id, productId: product.id });
    const uncredited = await buy(pk, skuId, forged);
    res = await call(`/v1/commissions?orderId=${uncredited}`, { headers: secret });
    expect((await res.json<{ data: Entry[] }>()).data).toEqual([]);

    // Removed (twice: still 204), the page is empty again.
    expect((await call(path, { method: "DELETE", headers: creator.headers })).status).toBe(204);
    expect((await call(path, { method: "DELETE", headers: creator.headers })).status).toBe(204);
    res = await call(`/v1/creators/${creator.id}/showcase`);
    expect((await res.json<{ data: Item[] }>()).data).toEqual([]);
  });
});
