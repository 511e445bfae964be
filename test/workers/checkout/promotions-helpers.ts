// Fixtures for the promotion tests: coupons, spend-and-save rules, campaigns and carts through the API. The rules are
// merchant-wide, so the tests set them on a merchant of their own (newMerchant) and never touch the demo merchant
// other files check out with.
import { expect } from "vitest";
import { campaignTerms, inMs } from "../sale-terms.ts";
import { asMerchant, operator, shopper } from "./callers.ts";
import { call, cny, createSkus, key } from "./helpers.ts";

/** A coupon (201 expected); the defaults: fixed 10 off, running from a minute ago for a day, 100 of them. */
export async function issueCoupon(issuer: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/coupons", {
    headers: issuer,
    body: {
      name: "test coupon",
      kind: "fixed",
      amountOff: cny(1_000),
      currency: "CNY",
      startsAt: inMs(-60_000),
      endsAt: inMs(86_400_000),
      quantity: 100,
      ...body,
    },
  });
  if (res.status !== 201) throw new Error(`issueCoupon: ${res.status} ${await res.text()}`);
  return res.json<{ id: string; claimed: number; remaining: number }>();
}

export const claim = (couponId: string, who: string, body: unknown = {}, idempotencyKey = key()) =>
  call("POST", `/v1/coupons/${couponId}/claims`, { headers: shopper(who), body, key: idempotencyKey });

export async function spendAndSave(issuer: Record<string, string>, body: Record<string, unknown>) {
  const res = await call("POST", "/v1/promotions/spend-and-save", {
    headers: issuer,
    body: { currency: "CNY", startsAt: inMs(-60_000), endsAt: inMs(86_400_000), ...body },
  });
  if (res.status !== 201) throw new Error(`spendAndSave: ${res.status} ${await res.text()}`);
  return res.json<{ id: string }>();
}

/** A campaign the operator creates (201), on the shared terms: its main day starts in `mainInMs`. */
export async function createCampaign(mainInMs: number, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/campaigns", { headers: operator, body: campaignTerms(mainInMs, extra) });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<{ id: string; period: string }>();
}

/** A new cart of `who` with these lines (200 each), as the answer to the last line shows it. */
export async function cartOf<Cart extends { id: string }>(
  who: string,
  lines: { skuId: string; quantity: number }[],
): Promise<Cart> {
  let cart = await (await call("POST", "/v1/carts", { headers: shopper(who) })).json<Cart>();
  for (const line of lines) {
    const res = await call("POST", `/v1/carts/${cart.id}/lines`, { headers: shopper(who), body: line });
    expect(res.status, await res.clone().text()).toBe(200);
    cart = await res.json<Cart>();
  }
  return cart;
}

/** A cart of `who` with one line per `{ price, quantity }`, over fresh SKUs of `owner`. */
export async function cartWith(who: string, owner: string, lines: { price: number; quantity: number }[]) {
  const { productId, skuIds } = await createSkus({ prices: lines.map((l) => l.price), stock: 10, owner });
  const cart = await cartOf(
    who,
    skuIds.map((skuId, i) => ({ skuId, quantity: lines[i]?.quantity ?? 1 })),
  );
  return { cartId: cart.id, productId, skuIds };
}

export const applyCoupons = (cartId: string, who: string, couponIds: string[]) =>
  call("PUT", `/v1/carts/${cartId}/coupons`, { headers: shopper(who), body: { couponIds } });

export { asMerchant };
