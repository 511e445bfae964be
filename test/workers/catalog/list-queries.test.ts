// A list's query takes only the parameters it declares: anything else is a 400 naming it, as on every other list.
import { describe, expect, it } from "vitest";
import { demo } from "../../../dev/demo.ts";
import { asMerchant } from "../principals.ts";
import { call, demoCreator, newProduct, newShopper, type ProblemBody } from "./notes-fixtures.ts";

describe("paginated lists", () => {
  it("refuse an unknown query parameter by name: comments, follows, a SKU's ledger", async () => {
    const merchantId = demo.merchants[1]?.id ?? "";
    const product = await call("GET", `/v1/products/${await newProduct()}`);
    const skuId = (await product.json<{ skus: { id: string }[] }>()).skus[0]?.id ?? "";
    const merchant = { id: merchantId, headers: asMerchant(merchantId) };
    const note = demo.notes[0]?.id ?? "";
    const requests = [
      { path: `/v1/notes/${note}/comments?limit=5&sort=oldest`, as: demoCreator(1) },
      { path: "/v1/follows?limit=5&sort=oldest", as: await newShopper() },
      { path: `/v1/skus/${skuId}/inventory-adjustments?limit=5&sort=oldest`, as: merchant },
    ];
    for (const request of requests) {
      const res = await call("GET", request.path, { as: request.as });
      expect(res.status, request.path).toBe(400);
      const body = await res.json<ProblemBody>();
      expect(body.code).toBe("validation_failed");
      expect(body.errors).toEqual([{ path: "/sort", message: "unknown field" }]);
      // The declared parameters alone still work.
      expect((await call("GET", request.path.replace("&sort=oldest", ""), { as: request.as })).status).toBe(200);
    }
  });
});
