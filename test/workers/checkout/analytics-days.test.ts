// A day in an analytics query is a real calendar day or a 400 at its field: never an impossible date that turns
// the range's arithmetic into an Invalid Date (a 500 before).
import { describe, expect, it } from "vitest";
import { asMerchant, merchantId } from "./callers.ts";
import { call } from "./helpers.ts";

describe("analytics days", () => {
  it("refuses an impossible day at its field, on every route that takes one", async () => {
    const headers = asMerchant(merchantId);
    for (const path of ["/v1/analytics/merchants/me/affiliates", "/v1/analytics/merchants/me"]) {
      for (const [field, value] of [
        ["to", "6718-62-32"],
        ["from", "2026-02-30"],
        ["to", "2026-13-01"],
      ] as const) {
        const res = await call("GET", `${path}?${field}=${value}`, { headers });
        expect(res.status, `${path} ${field}=${value}`).toBe(400);
        const problem = await res.json<{ code: string; errors: { path: string; message: string }[] }>();
        expect(problem.code).toBe("validation_failed");
        expect(problem.errors).toEqual([{ path: `/${field}`, message: "must be a real calendar date" }]);
      }
    }
    // A real day still answers.
    const res = await call("GET", "/v1/analytics/merchants/me/affiliates?from=2026-02-01&to=2026-02-28", { headers });
    expect(res.status).toBe(200);
  });
});
