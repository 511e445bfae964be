// A pre-sale through the gateway, as a merchant's server and a storefront make it: the merchant's secret key creates
// the pre-sale, a shopper session places an order and pays its deposit in the sandbox, and the balance is refused
// before its window with a problem+json the storefront can act on.
import { describe, expect, it } from "vitest";
import { bearer, call, expectProblem, merchantWithSku, post, type Session } from "./helpers.ts";

let keys = 0;
const idempotencyKey = () => ({ "idempotency-key": `presale-${Date.now()}-${++keys}` });
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

describe("a pre-sale through the gateway", () => {
  it("creates it, takes an order and its deposit, and refuses the balance before the main day", async () => {
    const { secret, pk, skuId } = await merchantWithSku("双11 预售 精华 Pre-sale serum", {
      options: { size: "50ml" },
      price: 20_000,
      stock: 10,
    });
    let res = await call(
      "/v1/presales",
      post(
        {
          skuId,
          quantity: 5,
          price: { amount: 20_000, currency: "CNY" },
          deposit: { amount: 10_000, currency: "CNY" },
          deduction: { amount: 15_000, currency: "CNY" },
          depositStartsAt: iso(-1000),
          depositEndsAt: iso(3_600_000),
          balanceStartsAt: iso(7_200_000),
          balanceEndsAt: iso(10_800_000),
        },
        { ...secret, ...idempotencyKey() },
      ),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const presale = await res.json<{ id: string; balance: { amount: number } }>();
    expect(presale.balance.amount).toBe(5_000);

    res = await call("/v1/shopper-sessions", post({}, pk));
    expect(res.status).toBe(201);
    const shopper = { ...pk, ...bearer((await res.json<Session>()).accessToken) };
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
