// Operator onboarding of merchants and creators, reading a merchant, and the principal the backends are given.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PRINCIPAL_HEADER } from "#shared/principal.ts";
import { bearer, call, expectProblem, onboardMerchant, operator, post, uniqueHandle } from "./helpers.ts";

describe("operator onboarding", () => {
  it("creates a merchant with a secret key (every scope) and a publishable key, each shown once", async () => {
    const merchant = await onboardMerchant();
    expect(merchant).toMatchObject({ object: "merchant", status: "active", name: "测试商家 Test Store" });
    expect(merchant.id).toMatch(/^mer_/);
    expect(merchant.secretKey.key).toMatch(/^sk_test_[0-9a-f]{40}$/);
    expect(merchant.secretKey.scopes.sort()).toEqual(
      [
        "affiliates:read",
        "affiliates:write",
        "analytics:read",
        "api_keys:write",
        "catalog:write",
        "flash_sales:write",
        "orders:read",
        "orders:write",
        "presales:write",
        "promotions:write",
        "webhooks:write",
      ].sort(),
    );
    expect(merchant.publishableKey.key).toMatch(/^pk_test_[0-9a-f]{40}$/);
    expect(merchant.publishableKey.allowedOrigins).toEqual(["https://shop.example.com"]);

    // The key works, and is never shown again: the listing has its prefix only.
    const list = await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(merchant.secretKey.key);
    expect(text).not.toContain(merchant.publishableKey.key);
    expect(text).toContain(merchant.secretKey.displayPrefix);
  });

  it("refuses anyone but the operator, and a wrong operator key", async () => {
    const body = { name: "Nope", handle: uniqueHandle("m") };
    await expectProblem(await call("/v1/merchants", post(body)), 401, "unauthorized");
    const merchant = await onboardMerchant();
    await expectProblem(await call("/v1/merchants", post(body, bearer(merchant.secretKey.key))), 401, "unauthorized");
    await expectProblem(
      await call("/v1/merchants", post(body, bearer(`${env.PLATFORM_ADMIN_KEY}x`))),
      401,
      "unauthorized",
    );
    await expectProblem(await call("/v1/merchants", post(body, bearer("zc_admin_local_guess"))), 401, "unauthorized");
  });

  it("validates strictly, naming unknown and bad fields, and refuses a taken handle with 409", async () => {
    const bad = await expectProblem(
      await call("/v1/merchants", post({ name: "X", handle: "Bad Handle", isAdmin: true }, operator())),
      400,
      "validation_failed",
    );
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(["/handle", "/isAdmin"]);
    const merchant = await onboardMerchant();
    const taken = await expectProblem(
      await call("/v1/merchants", post({ name: "Again", handle: merchant.handle }, operator())),
      409,
      "conflict",
    );
    expect(taken.errors?.[0]?.path).toBe("/handle");
  });

  it("creates a creator with a creator key shown once", async () => {
    const res = await call("/v1/creators", post({ name: "小红 Xiaohong", handle: uniqueHandle("c") }, operator()));
    expect(res.status).toBe(201);
    const creator = await res.json<{ id: string; object: string; creatorKey: { key: string; kind: string } }>();
    expect(creator.object).toBe("creator");
    expect(creator.id).toMatch(/^cre_/);
    expect(creator.creatorKey.key).toMatch(/^ck_test_[0-9a-f]{40}$/);
    await expectProblem(
      await call("/v1/creators", post({ name: "X", handle: uniqueHandle("c") })),
      401,
      "unauthorized",
    );
  });
});

describe("GET /v1/merchants/{id}", () => {
  it("is for the operator or the merchant itself; another merchant gets 404", async () => {
    const a = await onboardMerchant();
    const b = await onboardMerchant();
    const byOperator = await call(`/v1/merchants/${a.id}`, { headers: operator() });
    expect(byOperator.status).toBe(200);
    expect(await byOperator.json()).toMatchObject({ id: a.id, object: "merchant", handle: a.handle });
    const bySelf = await call(`/v1/merchants/${a.id}`, { headers: bearer(a.secretKey.key) });
    expect(bySelf.status).toBe(200);
    await expectProblem(await call(`/v1/merchants/${a.id}`, { headers: bearer(b.secretKey.key) }), 404, "not_found");
    await expectProblem(await call(`/v1/merchants/${a.id}`), 401, "unauthorized");
    await expectProblem(
      await call(`/v1/merchants/${a.id}`, { headers: { "x-publishable-key": a.publishableKey.key } }),
      401,
      "unauthorized",
    );
    await expectProblem(
      await call("/v1/merchants/mer_01JZ9999999999999999999999", { headers: operator() }),
      404,
      "not_found",
    );
  });
});

describe("the principal handed to the backends", () => {
  const forged = JSON.stringify({ actor: { type: "operator" }, storefront: null });

  it("ignores a principal header sent by a client, at the gateway's routes and the backends'", async () => {
    const onboard = await call(
      "/v1/merchants",
      post({ name: "Forged", handle: uniqueHandle("m") }, { [PRINCIPAL_HEADER]: forged }),
    );
    await expectProblem(onboard, 401, "unauthorized");

    // The catalog would let a merchant create a product; a forged merchant principal is replaced by anonymous.
    const merchant = await onboardMerchant();
    const forgedMerchant = JSON.stringify({
      actor: { type: "merchant", merchantId: merchant.id, keyId: "key_x", scopes: ["catalog:write"], mode: "test" },
      storefront: null,
    });
    const product = {
      title: "Forged product",
      status: "active",
      images: [],
      skus: [{ options: { size: "1" }, price: { amount: 100, currency: "CNY" }, stock: 1 }],
    };
    await expectProblem(
      await call("/v1/products", post(product, { [PRINCIPAL_HEADER]: forgedMerchant })),
      401,
      "unauthorized",
    );
    // The same request with the merchant's real key goes through: the gateway's principal is what counts.
    const real = await call("/v1/products", post(product, bearer(merchant.secretKey.key)));
    expect(real.status).toBe(201);
    expect(await real.json()).toMatchObject({ object: "product", merchantId: merchant.id });
  });
});
