// The business figures through the gateway, as a storefront and a merchant's server use them: the storefront's
// note view beacon (a signed-in shopper, then a guest device by its visitorId) reaches the catalog Worker, and the
// merchant's secret key reads the views in its figures from the checkout Worker under /v1/analytics.
import { describe, expect, it } from "vitest";
import { call, expectProblem, merchantWithSku, post, shopperSession } from "./helpers.ts";

interface Report {
  scope: { kind: string; id: string };
  totals: { noteViews: number; views: number; orders: number; conversionRate: number | null };
}

describe("analytics through the gateway", () => {
  it("counts a storefront's note views in the merchant's figures", async () => {
    const { merchant, secret, pk, product } = await merchantWithSku("小黑瓶 Night serum", { price: 12_900, stock: 5 });
    const shopper = await shopperSession(pk);
    let res = await call(
      "/v1/notes",
      post(
        { title: "用了一个月", body: "真的好用", images: ["https://img.example.com/n.jpg"], productIds: [product.id] },
        shopper,
      ),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const note = await res.json<{ id: string }>();

    // The shopper twice (one view), a guest device twice (one view): 2.
    for (let i = 0; i < 2; i++) {
      expect((await call(`/v1/notes/${note.id}/views`, post({}, shopper))).status).toBe(204);
      expect((await call(`/v1/notes/${note.id}/views`, post({ visitorId: "browser-0001" }, pk))).status).toBe(204);
    }
    await expectProblem(await call(`/v1/notes/${note.id}/views`, post({}, pk)), 400, "validation_failed");

    res = await call("/v1/analytics/merchants/me", { headers: secret });
    expect(res.status, await res.clone().text()).toBe(200);
    const report = await res.json<Report>();
    expect(report.scope).toEqual({ kind: "merchant", id: merchant.id });
    // No orders yet: conversion 0 / 2.
    expect(report.totals).toMatchObject({ noteViews: 2, views: 2, orders: 0, conversionRate: 0 });

    // A storefront's publishable key reads no figures; a bad range is a problem naming the field.
    await expectProblem(await call("/v1/analytics/merchants/me", { headers: pk }), 401, "unauthorized");
    const bad = await expectProblem(
      await call("/v1/analytics/merchants/me?from=2026-01-02&to=2026-01-01", { headers: secret }),
      400,
      "validation_failed",
    );
    expect(bad.errors).toEqual([expect.objectContaining({ path: "/from" })]);
  });
});
