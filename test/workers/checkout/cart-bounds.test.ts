// A cart holds what was asked or refuses it: a line past its bound, or a set with a repeat, is 400 at the field,
// and nothing changes.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { asMerchant, merchantId, shopper } from "./callers.ts";
import { call, createSku, newCart } from "./helpers.ts";

interface Problem {
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

async function expectRefused(res: Response, path: string, message: RegExp): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = await res.json<Problem>();
  expect(problem.code).toBe("validation_failed");
  expect(problem.errors).toHaveLength(1);
  expect(problem.errors?.[0]?.path).toBe(path);
  expect(problem.errors?.[0]?.message).toMatch(message);
}

const versionOf = async (cartId: string) =>
  (await database(env).$client.execute({ sql: "SELECT version FROM carts WHERE id = ?", args: [cartId] })).rows[0]
    ?.version;

describe("a cart line's quantity", () => {
  it("is refused past 999 units, on adding to the line or changing it, and the line stays as it was", async () => {
    const { skuId } = await createSku({ price: 100, stock: 5000 });
    const s = shopper("bound1");
    const cartId = await newCart(s);
    expect(
      (await call("POST", `/v1/carts/${cartId}/lines`, { headers: s, body: { skuId, quantity: 600 } })).status,
    ).toBe(200);
    const version = await versionOf(cartId);
    // 600 + 500 would be 1100: refused, not clamped to 999.
    let res = await call("POST", `/v1/carts/${cartId}/lines`, { headers: s, body: { skuId, quantity: 500 } });
    await expectRefused(res, "/quantity", /^out of range: at most 399 more \(the line has 600\)$/);
    expect(await versionOf(cartId)).toBe(version);
    let cart = await (await call("GET", `/v1/carts/${cartId}`, { headers: s })).json<{
      lines: { quantity: number }[];
    }>();
    expect(cart.lines.map((l) => l.quantity)).toEqual([600]);
    // Up to the bound exactly is fine.
    res = await call("POST", `/v1/carts/${cartId}/lines`, { headers: s, body: { skuId, quantity: 399 } });
    cart = await res.json();
    expect(cart.lines.map((l) => l.quantity)).toEqual([999]);
    res = await call("POST", `/v1/carts/${cartId}/lines`, { headers: s, body: { skuId } });
    await expectRefused(res, "/quantity", /^out of range: at most 0 more/);
    // One request past the bound, adding or changing.
    res = await call("POST", `/v1/carts/${cartId}/lines`, { headers: s, body: { skuId, quantity: 1000 } });
    await expectRefused(res, "/quantity", /999/);
    res = await call("PATCH", `/v1/carts/${cartId}/lines/${skuId}`, { headers: s, body: { quantity: 1000 } });
    await expectRefused(res, "/quantity", /999/);
  });
});

describe("PUT /v1/carts/{id}/coupons", () => {
  it("refuses the same coupon twice, at the repeat's index, applying nothing", async () => {
    const s = shopper("bound2");
    const cartId = await newCart(s);
    const couponIds = ["cpn_01JZDUPLICATE000000000000", "cpn_01JZDUPLICATE000000000000"];
    const res = await call("PUT", `/v1/carts/${cartId}/coupons`, { headers: s, body: { couponIds } });
    await expectRefused(res, "/couponIds/1", /^duplicate value: the same as item 0$/);
    const cart = await (await call("GET", `/v1/carts/${cartId}`, { headers: s })).json<{ couponIds: string[] }>();
    expect(cart.couponIds).toEqual([]);
  });
});

describe("sets in other checkout bodies", () => {
  it("refuses a webhook endpoint naming an event type twice, at the repeat", async () => {
    const res = await call("POST", "/v1/webhook-endpoints", {
      headers: asMerchant(merchantId),
      body: { url: "https://example.com/hooks", eventTypes: ["order.paid", "order.refunded", "order.paid"] },
    });
    await expectRefused(res, "/eventTypes/2", /^duplicate value: the same as item 0$/);
  });
});
