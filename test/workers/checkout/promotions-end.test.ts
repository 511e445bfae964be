// Ending a coupon early (no new claim, no new use at checkout, orders placed keep it) and a merchant leaving a
// campaign before its main day (its products, badge and campaign prices out at once; refused from the main day).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { inMs } from "../sale-terms.ts";
import { asMerchant, operator, shopper } from "./callers.ts";
import { call, cny, createSkus, key, newMerchant } from "./helpers.ts";
import { sandbox } from "./orders.ts";
import { applyCoupons, cartWith, claim, createCampaign, issueCoupon } from "./promotions-helpers.ts";

interface Coupon {
  id: string;
  endsAt: string;
  claimed: number;
  remaining: number;
}

const end = (couponId: string, headers: Record<string, string>, idempotencyKey = key()) =>
  call("POST", `/v1/coupons/${couponId}/end`, { headers, key: idempotencyKey });

const checkout = (cartId: string, who: string) =>
  call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper(who), key: key() });

describe("ending a coupon early", () => {
  it("stops new claims and new use at checkout (coupon_expired); an order already placed keeps it; ending again is the same", async () => {
    const m = await newMerchant();
    const coupon = await issueCoupon(asMerchant(m), { quantity: 10 });
    // A placed an order with it; B holds a claim and has it in a cart.
    expect((await claim(coupon.id, "cend-a")).status).toBe(201);
    const a = await cartWith("cend-a", m, [{ price: 20_000, quantity: 1 }]);
    expect((await applyCoupons(a.cartId, "cend-a", [coupon.id])).status).toBe(200);
    const placed = await checkout(a.cartId, "cend-a");
    expect(placed.status, await placed.clone().text()).toBe(201);
    const order = await placed.json<{ id: string; payment: { id: string }; totals: { total: { amount: number } } }>();
    expect(order.totals.total.amount).toBe(19_000);
    expect((await claim(coupon.id, "cend-b")).status).toBe(201);
    const b = await cartWith("cend-b", m, [{ price: 20_000, quantity: 1 }]);
    expect((await applyCoupons(b.cartId, "cend-b", [coupon.id])).status).toBe(200);

    const idempotencyKey = key();
    const ended = await end(coupon.id, asMerchant(m), idempotencyKey);
    expect(ended.status, await ended.clone().text()).toBe(200);
    const body = await ended.json<Coupon>();
    expect(body).toMatchObject({ id: coupon.id, claimed: 2, remaining: 8 });
    expect(Date.parse(body.endsAt)).toBeLessThanOrEqual(Date.now());
    // Ending an ended coupon: 200, the same body; the same key replays.
    const again = await end(coupon.id, asMerchant(m));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
    const replay = await end(coupon.id, asMerchant(m), idempotencyKey);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await (await call("GET", `/v1/coupons/${coupon.id}`, { headers: {} })).json()).toEqual(body);

    // No new claim.
    const late = await claim(coupon.id, "cend-c");
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "coupon_expired" });
    // No new use: the cart leaves it out and names why; checkout refuses it and writes nothing.
    const cart = await (await call("GET", `/v1/carts/${b.cartId}`, { headers: shopper("cend-b") })).json<{
      couponsRefused: { couponId: string; code: string }[];
      totals: { total: { amount: number } };
    }>();
    expect(cart.couponsRefused).toEqual([expect.objectContaining({ couponId: coupon.id, code: "coupon_expired" })]);
    expect(cart.totals.total.amount).toBe(20_000);
    const refused = await checkout(b.cartId, "cend-b");
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "coupon_expired", errors: [{ path: "/couponIds/0" }] });
    const orders = await database(env).$client.execute({
      sql: "SELECT count(*) AS n FROM orders WHERE cart_id = ?",
      args: [b.cartId],
    });
    expect(Number(orders.rows[0]?.n)).toBe(0);
    expect((await applyCoupons(b.cartId, "cend-b", [coupon.id])).status).toBe(409);

    // The order placed before keeps its discount, and is paid at its total.
    expect((await sandbox(order.payment.id, "cend-a", { outcome: "succeed" })).status).toBe(200);
    const paid = await (await call("GET", `/v1/orders/${order.id}`, { headers: shopper("cend-a") })).json<{
      status: string;
      totals: { total: { amount: number } };
    }>();
    expect(paid).toMatchObject({ status: "paid", totals: { total: { amount: 19_000 } } });
  });

  it("a coupon not yet started, ended, is expired rather than not yet valid", async () => {
    const later = await issueCoupon(operator, { startsAt: inMs(3_600_000) });
    expect((await end(later.id, operator)).status).toBe(200);
    expect(await (await claim(later.id, "cend-d")).json()).toMatchObject({ code: "coupon_expired" });
  });

  it("is its issuer's only: another merchant's or the platform's is a 404 to a merchant; the scope is needed", async () => {
    const m = await newMerchant();
    const other = await newMerchant();
    const mine = await issueCoupon(asMerchant(m));
    const platform = await issueCoupon(operator);
    expect((await end(mine.id, asMerchant(other))).status).toBe(404);
    expect((await end(platform.id, asMerchant(m))).status).toBe(404);
    expect((await end(mine.id, operator)).status).toBe(404);
    expect((await end(mine.id, asMerchant(m, ["orders:read"]))).status).toBe(403);
    expect((await end(mine.id, shopper("cend-e"))).status).toBe(401);
    expect((await end(newId("cpn"), asMerchant(m))).status).toBe(404);
    const bad = await end("nope", asMerchant(m));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "validation_failed" });
    // None of those ended anything; the platform's ends by the operator.
    expect((await claim(mine.id, "cend-e")).status).toBe(201);
    expect((await end(platform.id, operator)).status).toBe(200);
    expect(await (await claim(platform.id, "cend-e")).json()).toMatchObject({ code: "coupon_expired" });
  });
});

describe("a merchant leaving a campaign", () => {
  const join = (campaignId: string, merchant: string, productId: string, skuId: string, price: number) =>
    call("POST", `/v1/campaigns/${campaignId}/products`, {
      headers: asMerchant(merchant),
      body: { productId, prices: [{ skuId, price: cny(price) }] },
    });
  const leave = (campaignId: string, merchant: string, headers = asMerchant(merchant)) =>
    call("DELETE", `/v1/campaigns/${campaignId}/merchants/${merchant}`, { headers, key: key() });
  const productsOf = async (campaignId: string) =>
    (
      await (
        await call("GET", `/v1/campaigns/${campaignId}/products`, { headers: {} })
      ).json<{
        data: { productId: string; prices: unknown[] }[];
      }>()
    ).data.map((p) => p.productId);

  it("takes all its products out before the main day, prices with them; idempotent; 409 once the main day began", async () => {
    const campaign = await createCampaign(3_600_000);
    const m = await newMerchant();
    const stays = await newMerchant();
    const one = await createSkus({ prices: [10_000], stock: 5, owner: m });
    const two = await createSkus({ prices: [10_000], stock: 5, owner: m });
    const kept = await createSkus({ prices: [10_000], stock: 5, owner: stays });
    for (const [owner, p] of [
      [m, one],
      [m, two],
      [stays, kept],
    ] as const) {
      expect((await join(campaign.id, owner, p.productId, p.skuIds[0] ?? "", 7_900)).status).toBe(201);
    }
    const version = async (productId: string) =>
      Number(
        (await database(env).$client.execute({ sql: "SELECT version FROM products WHERE id = ?", args: [productId] }))
          .rows[0]?.version,
      );
    const before = await version(one.productId);

    // Only itself, with the scope.
    expect((await leave(campaign.id, m, asMerchant(stays))).status).toBe(404);
    expect((await leave(campaign.id, m, asMerchant(m, ["orders:write"]))).status).toBe(403);
    expect((await leave(campaign.id, m, operator)).status).toBe(401);
    expect((await leave(newId("cmp"), m)).status).toBe(404);
    expect((await productsOf(campaign.id)).sort()).toEqual([one.productId, two.productId, kept.productId].sort());

    const left = await leave(campaign.id, m);
    expect(left.status, await left.clone().text()).toBe(204);
    expect(await productsOf(campaign.id)).toEqual([kept.productId]);
    expect(await version(one.productId)).toBe(before + 1); // a new ETag for its page
    expect((await leave(campaign.id, m)).status).toBe(204); // again: nothing changes
    const prices = await database(env).$client.execute({
      sql: "SELECT count(*) AS n FROM campaign_prices WHERE campaign_id = ? AND product_id IN (?, ?)",
      args: [campaign.id, one.productId, two.productId],
    });
    expect(Number(prices.rows[0]?.n)).toBe(0);

    // The main day: the one that stayed is charged its campaign price, the one that left its list price.
    await database(env).$client.execute({
      sql: "UPDATE campaigns SET main_starts_at = ? WHERE id = ?",
      args: [inMs(-60_000), campaign.id],
    });
    // (A cart holds one merchant's products: one cart each.)
    const unitPrice = async (who: string, skuId: string | undefined) => {
      const cart = await (await call("POST", "/v1/carts", { headers: shopper(who) })).json<{ id: string }>();
      const res = await call("POST", `/v1/carts/${cart.id}/lines`, {
        headers: shopper(who),
        body: { skuId, quantity: 1 },
      });
      expect(res.status).toBe(200);
      return (await res.json<{ lines: { unitPrice: { amount: number } }[] }>()).lines[0]?.unitPrice.amount;
    };
    expect(await unitPrice("cleave-1", one.skuIds[0])).toBe(10_000);
    expect(await unitPrice("cleave-2", kept.skuIds[0])).toBe(7_900);

    // From the main day on, leaving is refused and changes nothing.
    const refused = await leave(campaign.id, stays);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "conflict" });
    expect(await productsOf(campaign.id)).toEqual([kept.productId]);
  });
});
