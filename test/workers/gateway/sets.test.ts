// A set sent as an array (ids, scopes, origins, topics, terms) names each item once: a repeat is 400 at its own
// index, whichever Worker owns the route (one rule: setOf/distinct in shared/openapi/schemas.ts).
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  creatorSession,
  expectProblem,
  onboardMerchant,
  operator,
  post,
  uniqueHandle,
} from "./helpers.ts";

async function expectRepeatAt(res: Response, path: string, first: number): Promise<void> {
  const problem = await expectProblem(res, 400, "validation_failed");
  expect(problem.errors).toEqual([{ path, message: `duplicate value: the same as item ${first}` }]);
}

describe("a repeated item in a set", () => {
  it("is 400 at the repeat on the gateway's own routes (merchants, api keys)", async () => {
    const origin = "https://shop.example.com";
    await expectRepeatAt(
      await call(
        "/v1/merchants",
        post({ name: "Shop", handle: uniqueHandle("m"), allowedOrigins: [origin, origin] }, operator()),
      ),
      "/allowedOrigins/1",
      0,
    );
    const merchant = await onboardMerchant();
    const secret = bearer(merchant.secretKey.key);
    await expectRepeatAt(
      await call(
        "/v1/api-keys",
        post({ kind: "secret", scopes: ["orders:read", "catalog:write", "orders:read"] }, secret),
      ),
      "/scopes/2",
      0,
    );
    await expectRepeatAt(
      await call("/v1/api-keys", post({ kind: "publishable", allowedOrigins: [origin, origin] }, secret)),
      "/allowedOrigins/1",
      0,
    );
  });

  it("is 400 at the repeat in a note's topics (after '#' is dropped) and tagged products", async () => {
    const creator = (await creatorSession("林小仙")).headers;
    const note = { title: "试色", images: ["https://img.example.com/1.jpg"] };
    await expectRepeatAt(
      await call("/v1/notes", post({ ...note, topics: ["口红", "#口红"] }, creator)),
      "/topics/1",
      0,
    );
    const productIds = ["prod_01JZSET0000000000000000001", "prod_01JZSET0000000000000000001"];
    await expectRepeatAt(await call("/v1/notes", post({ ...note, productIds }, creator)), "/productIds/1", 0);
  });

  it("is 400 at the repeat in a live session's shelf and moderators, and in a synonym set", async () => {
    const creator = (await creatorSession("林小仙")).headers;
    const session = { title: "直播", scheduledStartAt: new Date(Date.now() + 86_400_000).toISOString() };
    const productIds = ["prod_01JZSET0000000000000000002", "prod_01JZSET0000000000000000002"];
    await expectRepeatAt(
      await call("/v1/live/sessions", post({ ...session, productIds }, creator)),
      "/productIds/1",
      0,
    );
    const moderatorIds = ["shp_01JZSET0000000000000000001", "shp_01JZSET0000000000000000001"];
    await expectRepeatAt(
      await call("/v1/live/sessions", post({ ...session, moderatorIds }, creator)),
      "/moderatorIds/1",
      0,
    );
    const res = await call("/v1/search/synonyms/lipstick", {
      method: "PUT",
      headers: { "content-type": "application/json", ...operator() },
      body: JSON.stringify({ terms: ["口红", "lipstick", "口红"] }),
    });
    await expectRepeatAt(res, "/terms/2", 0);
  });
});
