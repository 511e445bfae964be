// A pre-sale through the gateway, as a merchant's server and a storefront make it: the merchant's secret key creates
// the pre-sale, a shopper session places an order and pays its deposit in the sandbox, and the balance is refused
// before its window with a problem+json the storefront can act on.
import { describe, expect, it } from "vitest";
import { presaleTerms } from "../sale-terms.ts";
import { call, expectProblem, idempotencyKey, merchantWithSku, post, shopperSession } from "./helpers.ts";

describe("a pre-sale through the gateway", () => {
  it("creates it, takes an order and its deposit, and refuses the balance before the main day", async () => {
    const { secret, pk, skuId } = await merchantWithSku("双11 预售 精华 Pre-sale serum", { price: 20_000 });
    let res = await call(
      "/v1/presales",
      post(presaleTerms(skuId, { quantity: 5 }), { ...secret, ...idempotencyKey() }),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const presale = await res.json<{ id: string; balance: { amount: number } }>();
    expect(presale.balance.amount).toBe(5_000);

    const shopper = await shopperSession(pk);
    res = await call(`/v1/presales/${presale.id}/orders`, post({ quantity: 1 }, { ...shopper, ...idempotencyKey() }));
    expect(res.status, await res.clone().text()).toBe(201);
    const placed = await res.json<{
      order: { id: string };
      depositPayment: { id: string; amount: { amount: number } };
    }>();
    expect(placed.depositPayment.amount.amount).toBe(10_000);

    res = await call(
      `/v1/payments/${placed.depositPayment.id}/sandbox`,
      post({ outcome: "succeed" }, { ...shopper, ...idempotencyKey() }),
    );
    expect(res.status).toBe(200);
    res = await call(`/v1/presales/${presale.id}/orders/${placed.order.id}`, { headers: secret });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ order: { status: "deposit_paid" }, balancePayment: null });

    res = await call(
      `/v1/presales/${presale.id}/orders/${placed.order.id}/balance`,
      post({}, { ...shopper, ...idempotencyKey() }),
    );
    await expectProblem(res, 409, "balance_not_open");
  });
});
