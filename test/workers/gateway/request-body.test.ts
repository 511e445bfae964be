// What a client hears when its request body is not JSON at all: a problem naming what to send, and where.
import { describe, expect, it } from "vitest";
import { bearer, call, expectProblem, onboardMerchant } from "./helpers.ts";

describe("a body that is not JSON", () => {
  it("is 415 naming the Content-Type to send, at /headers/content-type", async () => {
    const merchant = await onboardMerchant();
    const variants: Record<string, string>[] = [{ "content-type": "text/plain" }, {}];
    for (const headers of variants) {
      const res = await call("/v1/products", {
        method: "POST",
        headers: { ...headers, ...bearer(merchant.secretKey.key) },
        body: "title=口红",
      });
      const problem = await expectProblem(res, 415, "unsupported_media_type");
      expect(problem.detail).toContain("Content-Type: application/json");
      expect(problem.errors).toEqual([{ path: "/headers/content-type", message: "must be application/json" }]);
    }
  });

  it("is 400 at the body's root when the JSON is malformed", async () => {
    const merchant = await onboardMerchant();
    const res = await call("/v1/products", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(merchant.secretKey.key) },
      body: "{bad",
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "", message: "malformed JSON" }]);
  });
});
