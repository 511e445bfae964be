// Coupons: who issues them, claims under contention (never more than issued, never past a shopper's limit), the
// refusals, and a checkout with spend-and-save, a merchant and a platform coupon whose discounts are split over the
// lines (amounts by hand) and given back exactly by refunds of a line.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeAttribution } from "#shared/attribution.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { inMs } from "../sale-terms.ts";
import { asMerchant, operator, shopper, shopperId } from "./callers.ts";
import { call, cny, createSkus, key, newMerchant, shelvedBy, stockOf } from "./helpers.ts";
import { sandbox } from "./orders.ts";
import { applyCoupons, cartWith, claim, issueCoupon, spendAndSave } from "./promotions-helpers.ts";

interface Order {
  id: string;
  status: string;
  lines: { amount: { amount: number }; discount: { amount: number }; paid: { amount: number } }[];
  totals: {
    subtotal: { amount: number };
    discounts: { code: string; sourceId: string; amount: { amount: number } }[];
    shipping: { amount: number };
    total: { amount: number };
  };
  payment: { id: string; amount: { amount: number } };
}

const db = () => database(env);

describe("issuing coupons", () => {
  it("a merchant with promotions:write issues its own; the operator a platform-funded one; others may not", async () => {
    const m = await newMerchant();
    const mine = await issueCoupon(asMerchant(m), { name: "满99减10", minSpend: cny(9_900) });
    expect(mine).toMatchObject({
      object: "coupon",
      merchantId: m,
      fundedBy: "merchant",
      amountOff: cny(1_000),
      minSpend: cny(9_900),
      quantity: 100,
      claimed: 0,
      remaining: 100,
      audience: { type: "everyone", id: null },
    });
    const platform = await issueCoupon(operator, {
      kind: "percent",
      amountOff: undefined,
      percentOff: 15,
      maxOff: cny(2_000),
    });
    expect(platform).toMatchObject({ merchantId: null, fundedBy: "platform", percentOff: 15, maxOff: cny(2_000) });
    expect((await call("GET", `/v1/coupons/${platform.id}`, {})).status).toBe(200);

    const body = {
      name: "x",
      kind: "fixed",
      amountOff: cny(100),
      currency: "CNY",
      startsAt: inMs(0),
      endsAt: inMs(60_000),
      quantity: 1,
    };
    expect((await call("POST", "/v1/coupons", { headers: asMerchant(m, ["orders:write"]), body })).status).toBe(403);
    expect((await call("POST", "/v1/coupons", { headers: shopper("cp0"), body })).status).toBe(401);
  });

  it.each([
    [{ kind: "percent", amountOff: undefined }, "/percentOff"],
    [{ kind: "fixed", amountOff: undefined }, "/amountOff"],
    [{ kind: "percent", amountOff: undefined, percentOff: 100 }, "/percentOff"],
    [{ endsAt: inMs(-120_000) }, "/endsAt"],
    [{ minSpend: { amount: 100, currency: "USD" } }, "/minSpend"],
    [{ quantity: 0 }, "/quantity"],
    [{ audience: { type: "live_viewers", id: newId("note") } }, "/audience/id"],
  ])("refuses %o (400 at %s)", async (change, path) => {
    const res = await call("POST", "/v1/coupons", {
      headers: operator,
      body: {
        name: "bad",
        kind: "fixed",
        amountOff: cny(100),
        currency: "CNY",
        startsAt: inMs(-60_000),
        endsAt: inMs(60_000),
        quantity: 10,
        ...change,
      },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "validation_failed",
      errors: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });
});

describe("claiming", () => {
  it("300 shoppers claiming 50 coupons at once: exactly 50 claims, the rest coupon_exhausted", async () => {
    const coupon = await issueCoupon(operator, { quantity: 50 });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => claim(coupon.id, `cpr${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(250);
    const refused = await results.find((r) => r.status === 409)?.json();
    expect(refused).toMatchObject({ code: "coupon_exhausted" });
    const rows = await db().$client.execute({
      sql: "SELECT (SELECT count(*) FROM coupon_claims WHERE coupon_id = ?) AS n, (SELECT claimed FROM coupons WHERE id = ?) AS claimed",
      args: [coupon.id, coupon.id],
    });
    expect(rows.rows[0]).toMatchObject({ n: 50, claimed: 50 });
    expect(await (await call("GET", `/v1/coupons/${coupon.id}`, {})).json()).toMatchObject({
      claimed: 50,
      remaining: 0,
    });
  });

  it("one shopper pressing 8 times at once gets their limit of 2; a retry with the same key is the same claim", async () => {
    const coupon = await issueCoupon(operator, { perShopperLimit: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => claim(coupon.id, "cpl")));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = await results.find((r) => r.status === 409)?.json();
    expect(refused).toMatchObject({ code: "coupon_limit_exceeded" });

    const other = await issueCoupon(operator);
    const k = key();
    const first = await claim(other.id, "cpl", {}, k);
    const again = await claim(other.id, "cpl", {}, k);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await (await call("GET", `/v1/coupons/${other.id}`, {})).json()).toMatchObject({ claimed: 1 });

    const held = await (await call("GET", "/v1/coupons/claims", { headers: shopper("cpl") })).json<{
      data: { couponId: string; seq: number; orderId: string | null }[];
    }>();
    expect(
      held.data
        .filter((c) => c.couponId === coupon.id)
        .map((c) => c.seq)
        .sort(),
    ).toEqual([1, 2]);
  });

  it("refuses an ended, a not yet valid, an unknown and an audience coupon without proof; guests cannot claim", async () => {
    const ended = await issueCoupon(operator);
    await db().$client.execute({ sql: "UPDATE coupons SET ends_at = ? WHERE id = ?", args: [inMs(-1_000), ended.id] });
    expect(await (await claim(ended.id, "cpx")).json()).toMatchObject({ code: "coupon_expired", status: 409 });
    const later = await issueCoupon(operator, { startsAt: inMs(3_600_000) });
    expect(await (await claim(later.id, "cpx")).json()).toMatchObject({ code: "coupon_not_applicable" });
    expect((await claim(newId("cpn"), "cpx")).status).toBe(404);

    const viewers = await issueCoupon(operator, { audience: { type: "live_viewers", id: newId("live") } });
    const without = await claim(viewers.id, "cpx");
    expect(await without.json()).toMatchObject({ code: "coupon_not_applicable", errors: [{ path: "/attribution" }] });
    // A well-formed reference from another session proves nothing.
    const elsewhere = encodeAttribution({
      noteId: null,
      liveSessionId: newId("live"),
      creatorId: null,
      productId: newId("prod"),
    });
    expect(await (await claim(viewers.id, "cpx", { attribution: elsewhere })).json()).toMatchObject({
      code: "coupon_not_applicable",
    });
    const guest = await call("POST", `/v1/coupons/${viewers.id}/claims`, { headers: {}, key: key(), body: {} });
    expect(guest.status).toBe(401);
    // Nothing was claimed by any of these.
    const n = await db().$client.execute({
      sql: "SELECT count(*) AS n FROM coupon_claims WHERE owner_id = ?",
      args: [shopperId("cpx")],
    });
    expect(Number(n.rows[0]?.n)).toBe(0);
  });
});

describe("audience coupons", () => {
  it("a live session's viewers claim with a product link's reference from that session", async () => {
    const m = await newMerchant();
    const { productId } = await createSkus({ prices: [5_000], stock: 1, owner: m });
    const { liveSessionId: session, reference: fromRoom } = await shelvedBy({ merchantId: m }, productId);
    const coupon = await issueCoupon(asMerchant(m), { audience: { type: "live_viewers", id: session } });
    expect((await claim(coupon.id, "cpv", { attribution: fromRoom })).status).toBe(201);
    // The same session, but a product it does not shelve: the reference does not hold.
    const { productId: unshelved } = await createSkus({ prices: [5_000], stock: 1, owner: m });
    const forged = encodeAttribution({ noteId: null, liveSessionId: session, creatorId: null, productId: unshelved });
    expect(await (await claim(coupon.id, "cpv2", { attribution: forged })).json()).toMatchObject({
      code: "coupon_not_applicable",
    });
  });
});

describe("checkout with promotions", () => {
  it("spend-and-save, then the merchant coupon, then the platform coupon, split over the lines; refunds give back each line's share", async () => {
    const m = await newMerchant();
    await spendAndSave(asMerchant(m), {
      name: "每满300减50",
      kind: "every",
      tiers: [{ threshold: 30_000, off: 5_000 }],
    });
    const merchantCoupon = await issueCoupon(asMerchant(m), {
      name: "满400打9折",
      kind: "percent",
      amountOff: undefined,
      percentOff: 10,
      minSpend: cny(40_000),
    });
    const platformCoupon = await issueCoupon(operator, { name: "平台券10元" });
    for (const c of [merchantCoupon, platformCoupon]) expect((await claim(c.id, "cpo")).status).toBe(201);

    // Lines 300.00 × 1 and 70.00 × 3: subtotal 510.00.
    const { cartId, skuIds } = await cartWith("cpo", m, [
      { price: 30_000, quantity: 1 },
      { price: 7_000, quantity: 3 },
    ]);
    // Spend-and-save: one full 300 → 50.00, split 30000:21000 → 2941.17 and 2058.82, the leftover fen to line 1
    // (larger remainder): 2941 and 2059. Left 27059 and 18941 (460.00).
    // Merchant 10% (460.00 ≥ 400.00): 4600, split 2705.9 / 1894.1 → 2706 and 1894. Left 24353 and 17047 (414.00).
    // Platform 10.00: 588.24 / 411.76 → 588 and 412. Left 23765 and 16635: 404.00. Shipping free (≥ 99.00).
    const applied = await applyCoupons(cartId, "cpo", [platformCoupon.id, merchantCoupon.id]);
    expect(applied.status).toBe(200);
    const cart = await applied.json<{ totals: Order["totals"]; lines: { discount: { amount: number } }[] }>();
    expect(cart.totals.total).toEqual(cny(40_400));
    expect(cart.lines.map((l) => l.discount.amount)).toEqual([6_235, 4_365]);

    const res = await call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper("cpo"), key: key() });
    expect(res.status).toBe(201);
    const order = await res.json<Order>();
    expect(order.totals).toMatchObject({
      subtotal: cny(51_000),
      discounts: [
        { code: "spend_and_save", amount: cny(5_000) },
        { code: "merchant_coupon", sourceId: merchantCoupon.id, amount: cny(4_600) },
        { code: "platform_coupon", sourceId: platformCoupon.id, amount: cny(1_000) },
      ],
      shipping: cny(0),
      total: cny(40_400),
    });
    expect(order.payment.amount).toEqual(cny(40_400));
    expect(order.lines.map((l) => [l.discount.amount, l.paid.amount])).toEqual([
      [6_235, 23_765],
      [4_365, 16_635],
    ]);
    expect(await stockOf(skuIds[1] ?? "")).toBe(7);
    // Both claims are used by the order.
    const held = await (await call("GET", "/v1/coupons/claims", { headers: shopper("cpo") })).json<{
      data: { orderId: string | null }[];
    }>();
    expect(held.data.map((c) => c.orderId)).toEqual([order.id, order.id]);

    expect((await sandbox(order.payment.id, "cpo", { outcome: "succeed" })).status).toBe(200);
    const refund = (body: unknown) =>
      call("POST", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(m), key: key(), body });
    // Line 1 paid 166.35 for 3 units: one unit is floor(16635 / 3) = 5545; then the other two, 11090.
    expect(await (await refund({ lines: [{ position: 1, quantity: 1 }] })).json()).toMatchObject({
      amount: cny(5_545),
    });
    expect(await (await refund({ lines: [{ position: 1, quantity: 2 }] })).json()).toMatchObject({
      amount: cny(11_090),
    });
    // Line 0, whole: 237.65. Everything paid has come back.
    expect(await (await refund({ lines: [{ position: 0, quantity: 1 }] })).json()).toMatchObject({
      amount: cny(23_765),
    });
    const after = await (await call("GET", `/v1/orders/${order.id}`, { headers: shopper("cpo") })).json<Order>();
    expect(after.status).toBe("refunded");
  });

  it("refunds of a discounted line one unit at a time add up to exactly what was paid for it, even racing", async () => {
    const m = await newMerchant();
    const coupon = await issueCoupon(asMerchant(m), { amountOff: cny(100) });
    const run = async (who: string) => {
      expect((await claim(coupon.id, who)).status).toBe(201);
      const { cartId } = await cartWith(who, m, [{ price: 1_000, quantity: 3 }]);
      expect((await applyCoupons(cartId, who, [coupon.id])).status).toBe(200);
      const order = await (
        await call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper(who), key: key() })
      ).json<Order>();
      // 30.00 less 1.00 paid for the line, plus 10.00 shipping (under 99.00): 39.00.
      expect(order.totals.total).toEqual(cny(3_900));
      expect(order.lines[0]?.paid).toEqual(cny(2_900));
      await sandbox(order.payment.id, who, { outcome: "succeed" });
      return (lines: unknown) =>
        call("POST", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(m), key: key(), body: { lines } });
    };
    // One at a time: floor(2900/3) = 966, then floor(5800/3) − 966 = 967, then 2900 − 1933 = 967.
    const one = await run("cpq1");
    const amounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      amounts.push(
        (await (await one([{ position: 0, quantity: 1 }])).json<{ amount: { amount: number } }>()).amount.amount,
      );
    }
    expect(amounts).toEqual([966, 967, 967]);
    // Three at once: whichever order they land in, 2900 in all.
    const racing = await run("cpq2");
    const raced = await Promise.all(Array.from({ length: 3 }, () => racing([{ position: 0, quantity: 1 }])));
    const bodies = await Promise.all(raced.map((r) => r.json<{ amount: { amount: number } }>()));
    expect(raced.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(bodies.reduce((sum, b) => sum + b.amount.amount, 0)).toBe(2_900);
  });

  it("refuses coupons that do not apply, with their codes, and charges nothing", async () => {
    const m = await newMerchant();
    const other = await newMerchant();
    const first = await issueCoupon(asMerchant(m));
    const second = await issueCoupon(asMerchant(m), { name: "second" });
    const foreign = await issueCoupon(asMerchant(other));
    const big = await issueCoupon(asMerchant(m), { minSpend: cny(50_000) });
    const unclaimed = await issueCoupon(asMerchant(m));
    for (const c of [first, second, foreign, big]) expect((await claim(c.id, "cpb")).status).toBe(201);
    const { cartId, skuIds } = await cartWith("cpb", m, [{ price: 20_000, quantity: 1 }]);

    const refusals: [string[], string][] = [
      [[first.id, second.id], "stacking_not_allowed"],
      [[foreign.id], "coupon_not_applicable"],
      [[big.id], "min_spend_not_met"],
      [[unclaimed.id], "coupon_not_claimed"],
    ];
    for (const [ids, code] of refusals) {
      const res = await applyCoupons(cartId, "cpb", ids);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ code, errors: [{ path: expect.stringMatching(/^\/couponIds/) }] });
    }
    expect((await applyCoupons(cartId, "cpb", [newId("cpn")])).status).toBe(404);

    // Applied, then ended before checkout: the cart shows it refused; checkout refuses it and writes nothing.
    expect((await applyCoupons(cartId, "cpb", [first.id])).status).toBe(200);
    await db().$client.execute({ sql: "UPDATE coupons SET ends_at = ? WHERE id = ?", args: [inMs(-1_000), first.id] });
    const cart = await (await call("GET", `/v1/carts/${cartId}`, { headers: shopper("cpb") })).json<{
      couponsRefused: { couponId: string; code: string }[];
      totals: Order["totals"];
    }>();
    expect(cart.couponsRefused).toEqual([expect.objectContaining({ couponId: first.id, code: "coupon_expired" })]);
    expect(cart.totals.total).toEqual(cny(20_000));
    const res = await call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper("cpb"), key: key() });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "coupon_expired" });
    expect(await stockOf(skuIds[0] ?? "")).toBe(10);
    const orders = await db().$client.execute({
      sql: "SELECT count(*) AS n FROM orders WHERE cart_id = ?",
      args: [cartId],
    });
    expect(Number(orders.rows[0]?.n)).toBe(0);
  });

  it("one claim, two carts checking out at once: one order gets it, the other is refused; cancelling gives it back", async () => {
    const m = await newMerchant();
    const coupon = await issueCoupon(asMerchant(m));
    expect((await claim(coupon.id, "cpc")).status).toBe(201);
    const carts = await Promise.all([1, 2].map(() => cartWith("cpc", m, [{ price: 5_000, quantity: 1 }])));
    for (const { cartId } of carts) expect((await applyCoupons(cartId, "cpc", [coupon.id])).status).toBe(200);
    const results = await Promise.all(
      carts.map(({ cartId }) => call("POST", `/v1/carts/${cartId}/checkout`, { headers: shopper("cpc"), key: key() })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = await results.find((r) => r.status === 409)?.json();
    expect(refused).toMatchObject({ code: "coupon_not_claimed" });
    const loser = carts[results.findIndex((r) => r.status === 409)];
    expect(await stockOf(loser?.skuIds[0] ?? "")).toBe(10);

    const order = await results.find((r) => r.status === 201)?.json<Order>();
    expect((await call("POST", `/v1/orders/${order?.id}/cancel`, { headers: shopper("cpc") })).status).toBe(200);
    const held = await (await call("GET", "/v1/coupons/claims", { headers: shopper("cpc") })).json<{
      data: { couponId: string; orderId: string | null }[];
    }>();
    expect(held.data).toEqual([expect.objectContaining({ couponId: coupon.id, orderId: null })]);
  });
});
