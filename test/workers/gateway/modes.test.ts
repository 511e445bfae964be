// Test and live through the gateway: the operator opens a merchant's live mode; a live storefront's shopper cannot pay
// with the sandbox (the finding: a pk_live session's sandbox checkout used to make a live order paid); a key manages
// only keys of its own mode; a session of one mode cannot be used with a publishable key of the other.
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  expectProblem,
  idempotencyKey,
  type KeyWithSecret,
  merchantWithSku,
  openShopperSession,
  operator,
  post,
  shopperSession,
} from "./helpers.ts";

interface LiveKeys {
  secretKey: KeyWithSecret & { mode: string };
  publishableKey: KeyWithSecret & { mode: string };
}

async function openLive(merchantId: string): Promise<LiveKeys> {
  const res = await call(`/v1/merchants/${merchantId}/live-keys`, post({}, operator()));
  expect(res.status).toBe(201);
  return res.json<LiveKeys>();
}

describe("live mode", () => {
  it("is opened by the operator with live keys; a merchant's own key cannot", async () => {
    const { merchant } = await merchantWithSku("Live keys", { options: { n: "1" }, price: 1000, stock: 1 });
    await expectProblem(
      await call(`/v1/merchants/${merchant.id}/live-keys`, post({}, bearer(merchant.secretKey.key))),
      401,
      "unauthorized",
    );
    const live = await openLive(merchant.id);
    expect(live.secretKey.key).toMatch(/^sk_live_[0-9a-f]{40}$/);
    expect(live.publishableKey.key).toMatch(/^pk_live_[0-9a-f]{40}$/);
    expect(live.secretKey.mode).toBe("live");
  });

  it("a pk_live shopper's checkout with the sandbox is refused, and no order exists to be paid", async () => {
    const { merchant, skuId } = await merchantWithSku("Live lipstick", { options: { n: "1" }, price: 8900, stock: 5 });
    const live = await openLive(merchant.id);
    const pk = { "x-publishable-key": live.publishableKey.key };
    const shopper = await shopperSession(pk);
    let res = await call("/v1/carts", post({}, shopper));
    expect(res.status).toBe(201);
    const cart = await res.json<{ id: string; livemode: boolean }>();
    expect(cart.livemode).toBe(true);
    expect((await call(`/v1/carts/${cart.id}/lines`, post({ skuId }, shopper))).status).toBe(200);

    res = await call(
      `/v1/carts/${cart.id}/checkout`,
      post({ paymentProvider: "sandbox" }, { ...shopper, ...idempotencyKey() }),
    );
    const problem = await expectProblem(res, 400, "sandbox_in_live_mode");
    expect(problem.errors?.[0]?.path).toBe("/paymentProvider");
    // No provider named: live mode pays with Stripe's live configuration, which this deployment lacks.
    await expectProblem(
      await call(`/v1/carts/${cart.id}/checkout`, post({}, { ...shopper, ...idempotencyKey() })),
      409,
      "payment_provider_disabled",
    );

    // The merchant's live key sees no order (nothing was written), its test key none of live mode's.
    for (const key of [live.secretKey.key, merchant.secretKey.key]) {
      const orders = await (await call("/v1/orders", { headers: bearer(key) })).json<{ data: unknown[] }>();
      expect(orders.data).toEqual([]);
    }
    // The cart is as it was: open, its line still there.
    const after = await (await call(`/v1/carts/${cart.id}`, { headers: shopper })).json<{ status: string }>();
    expect(after.status).toBe("open");
  });

  it("a session opened with a pk_live key is refused beside a pk_test key, and a live key beside a test one", async () => {
    const { merchant } = await merchantWithSku("Mixed", { options: { n: "1" }, price: 1000, stock: 1 });
    const live = await openLive(merchant.id);
    const token = (await openShopperSession(live.publishableKey.key)).accessToken;
    await expectProblem(
      await call("/v1/carts", post({}, { "x-publishable-key": merchant.publishableKey.key, ...bearer(token) })),
      401,
      "unauthorized",
    );
    await expectProblem(
      await call("/v1/orders", {
        headers: { "x-publishable-key": merchant.publishableKey.key, ...bearer(live.secretKey.key) },
      }),
      401,
      "unauthorized",
    );
  });
});

describe("keys of one mode", () => {
  it("a test key cannot mint or revoke live keys, nor list them; a live key likewise for test keys", async () => {
    const { merchant } = await merchantWithSku("Key modes", { options: { n: "1" }, price: 1000, stock: 1 });
    const live = await openLive(merchant.id);
    const testKey = merchant.secretKey.key;
    const liveKey = live.secretKey.key;

    const minted = await call(
      "/v1/api-keys",
      post({ kind: "secret", mode: "live", scopes: ["orders:read"] }, bearer(testKey)),
    );
    const problem = await expectProblem(minted, 403, "forbidden");
    expect(problem.errors?.[0]?.path).toBe("/mode");
    await expectProblem(
      await call("/v1/api-keys", post({ kind: "publishable", mode: "test", allowedOrigins: [] }, bearer(liveKey))),
      403,
      "forbidden",
    );
    // Without a mode, a key makes keys of its own.
    const own = await call("/v1/api-keys", post({ kind: "secret", scopes: ["orders:read"] }, bearer(liveKey)));
    expect(own.status).toBe(201);
    const ownKey = await own.json<KeyWithSecret & { mode: string }>();
    expect(ownKey.mode).toBe("live");
    expect(ownKey.key).toMatch(/^sk_live_/);

    const listed = async (key: string) =>
      (await (await call("/v1/api-keys", { headers: bearer(key) })).json<{ data: { id: string }[] }>()).data
        .map((k) => k.id)
        .sort();
    expect(await listed(testKey)).toEqual([merchant.publishableKey.id, merchant.secretKey.id].sort());
    expect(await listed(liveKey)).toEqual([live.publishableKey.id, live.secretKey.id, ownKey.id].sort());

    await expectProblem(
      await call(`/v1/api-keys/${live.publishableKey.id}`, { method: "DELETE", headers: bearer(testKey) }),
      404,
      "not_found",
    );
    await expectProblem(
      await call(`/v1/api-keys/${merchant.secretKey.id}`, { method: "DELETE", headers: bearer(liveKey) }),
      404,
      "not_found",
    );
    // Both still work.
    expect((await call("/v1/orders", { headers: bearer(liveKey) })).status).toBe(200);
    expect((await call("/v1/orders", { headers: bearer(testKey) })).status).toBe(200);
  });
});
