import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { campaigns } from "#shared/schema.ts";
import { campaignTerms, hour, inMs, presaleTerms } from "../sale-terms.ts";
import { asMerchant, merchantId, otherMerchantId, shopper } from "./callers.ts";
import { call, created, createSku, createSkus, key, stockOf } from "./helpers.ts";
import { sandbox } from "./orders.ts";
import {
  balanceWindow,
  depositOverdue,
  depositPaid,
  eventsOf,
  ledgerSum,
  newPresale,
  type PresaleOrder,
  payBalance,
  paymentsOf,
  placeOrder,
  presaleLeft,
  presaleWithDeposit,
  readOrder,
  runAlarm,
} from "./presales-helpers.ts";

describe("POST /v1/presales", () => {
  const body = presaleTerms;

  it("creates a pre-sale whose deposit counts for more than its face value, taking no stock yet", async () => {
    const { skuId } = await createSku({ price: 20_000, stock: 30 });
    const res = await call("POST", "/v1/presales", { headers: asMerchant(merchantId), body: body(skuId) });
    const presale = await created<{ id: string }>(res, "/v1/presales");
    expect(presale).toMatchObject({
      object: "presale",
      merchantId,
      skuId,
      price: { amount: 20_000, currency: "CNY" },
      deposit: { amount: 10_000, currency: "CNY" },
      deduction: { amount: 15_000, currency: "CNY" },
      balance: { amount: 5_000, currency: "CNY" },
      quantity: 10,
      left: 10,
      perShopperLimit: 1,
      status: "deposit_open",
    });
    expect(await stockOf(skuId)).toBe(30);
  });

  it("opens the balance on a campaign's main day when no balance window is given", async () => {
    const campaign = { id: newId("cmp"), ...campaignTerms(2 * hour) };
    await database(env).insert(campaigns).values(campaign);
    const { skuIds } = await createSkus({ prices: [20_000], stock: 30 });
    const res = await call("POST", "/v1/presales", {
      headers: asMerchant(merchantId),
      body: body(skuIds[0] ?? "", { campaignId: campaign.id, balanceStartsAt: undefined, balanceEndsAt: undefined }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({
      campaignId: campaign.id,
      balanceStartsAt: campaign.mainStartsAt,
      balanceEndsAt: campaign.endsAt,
    });
    const unknown = await call("POST", "/v1/presales", {
      headers: asMerchant(merchantId),
      body: body(skuIds[0] ?? "", { campaignId: newId("cmp") }),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ errors: [{ path: "/campaignId" }] });
  });

  it("refuses bad terms with the field at fault, another merchant's SKU, and a key without the scope", async () => {
    const { skuId } = await createSku({ price: 20_000, stock: 30 });
    const post = (b: unknown, headers = asMerchant(merchantId)) => call("POST", "/v1/presales", { headers, body: b });
    const cases: [Record<string, unknown>, string][] = [
      [{ deduction: { amount: 9_000, currency: "CNY" } }, "/deduction"],
      [{ deduction: { amount: 20_000, currency: "CNY" } }, "/deduction"],
      [{ deposit: { amount: 10_000, currency: "USD" } }, "/deposit"],
      [{ balanceStartsAt: inMs(30 * 60_000) }, "/balanceStartsAt"],
      [{ balanceStartsAt: undefined }, "/balanceStartsAt"],
      [{ depositEndsAt: inMs(-1000), depositStartsAt: inMs(-hour) }, "/depositEndsAt"],
    ];
    for (const [extra, path] of cases) {
      const res = await post(body(skuId, extra));
      expect(res.status, JSON.stringify(extra)).toBe(400);
      const problem = await res.json<{ code: string; errors: { path: string }[] }>();
      expect(problem.code).toBe("validation_failed");
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    expect((await post(body(skuId), asMerchant(otherMerchantId))).status).toBe(404);
    const noScope = await post(body(skuId), asMerchant(merchantId, ["orders:read"]));
    expect(noScope.status).toBe(403);
    expect((await post(body(skuId), asMerchant(merchantId, ["flash_sales:write"]))).status).toBe(201);
  });
});

describe("a pre-sale order, deposit then balance", () => {
  it("goes pending_deposit → deposit_paid → pending_balance → paid, two payments, a webhook event per change", async () => {
    const presale = await newPresale({ stock: 50 });
    const who = "pre-happy";
    const orderKey = key();
    const res = await placeOrder(presale.id, who, 2, orderKey);
    expect(res.status, await res.clone().text()).toBe(201);
    const placed = await res.json<PresaleOrder>();
    expect(placed).toMatchObject({
      presaleId: presale.id,
      quantity: 2,
      order: { status: "pending_deposit", totals: { subtotal: { amount: 40_000 }, total: { amount: 30_000 } } },
      deposit: { amount: 20_000, currency: "CNY" },
      deduction: { amount: 30_000, currency: "CNY" },
      balance: { amount: 10_000, currency: "CNY" },
      depositPayment: { status: "requires_payment", amount: { amount: 20_000 } },
      balancePayment: null,
    });
    const orderId = placed.order.id;
    expect(await stockOf(presale.skuId)).toBe(48);
    expect(await presaleLeft(presale.id)).toBe(18);

    // The same key: the same order, nothing taken twice.
    const replay = await placeOrder(presale.id, who, 2, orderKey);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await replay.json<PresaleOrder>()).order.id).toBe(orderId);
    expect(await stockOf(presale.skuId)).toBe(48);

    // The deposit's webhook, delivered twice by the provider, applies once.
    const outcome = await sandbox(placed.depositPayment.id, who, { outcome: "succeed", deliver: false });
    const { webhook } = await outcome.json<{ webhook: { signature: string; body: string } }>();
    for (const duplicate of [false, true]) {
      const hook = await call("POST", "/v1/webhooks/sandbox", {
        headers: { "x-sandbox-signature": webhook.signature, "content-type": "application/json" },
        body: JSON.parse(webhook.body),
      });
      expect(await hook.json()).toEqual({ received: true, duplicate });
    }
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("deposit_paid");

    // Before the balance window: refused, and no payment opened.
    const early = await payBalance(presale.id, orderId, who);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "balance_not_open" });
    expect(await paymentsOf(orderId)).toHaveLength(1);

    // The main day: the order's alarm opens the balance.
    await balanceWindow(orderId, "open");
    expect(await runAlarm(orderId)).toBe(true);
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("pending_balance");
    expect(await runAlarm(orderId)).toBe(true); // re-armed for the window's end; running it early changes nothing
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("pending_balance");

    const balanceKey = key();
    const opened = await payBalance(presale.id, orderId, who, balanceKey);
    expect(opened.status, await opened.clone().text()).toBe(201);
    const withBalance = await opened.json<PresaleOrder>();
    expect(withBalance.balancePayment).toMatchObject({ status: "requires_payment", amount: { amount: 10_000 } });
    const again = await payBalance(presale.id, orderId, who, balanceKey);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await payBalance(presale.id, orderId, who)).status).toBe(200); // another key: the payment already open
    expect(await paymentsOf(orderId)).toHaveLength(2);

    expect((await sandbox(withBalance.balancePayment?.id ?? "", who, { outcome: "succeed" })).status).toBe(200);
    const paid = await readOrder(presale.id, orderId, who);
    expect(paid.order.status).toBe("paid");
    const pays = await paymentsOf(orderId);
    expect(pays.map((p) => [p.status, p.amount])).toEqual([
      ["succeeded", 20_000],
      ["succeeded", 10_000],
    ]);
    expect(pays.reduce((sum, p) => sum + p.amount, 0)).toBe(paid.order.totals.total.amount);
    expect(await eventsOf(orderId)).toEqual(["order.created", "order.deposit_paid", "order.balance_due", "order.paid"]);
    expect(await stockOf(presale.skuId)).toBe(48);
    expect(await ledgerSum(presale.skuId)).toBe(48);
  });

  it("opens the balance when paid before the alarm has run, telling the merchant once", async () => {
    const who = "pre-early-alarm";
    const { presale, order } = await presaleWithDeposit(who);
    await balanceWindow(order.id, "open");
    expect((await payBalance(presale.id, order.id, who)).status).toBe(201);
    expect(await runAlarm(order.id)).toBe(true);
    expect(await eventsOf(order.id)).toEqual(["order.created", "order.deposit_paid", "order.balance_due"]);
  });
});

describe("the rule of the deposit", () => {
  it("forfeits the deposit when the balance window closes unpaid, and the units go back (the ledger adds up)", async () => {
    const who = "pre-forfeit";
    const { presale, order } = await presaleWithDeposit(who, 2, { stock: 10 });
    expect(await stockOf(presale.skuId)).toBe(8);
    await balanceWindow(order.id, "open");
    await runAlarm(order.id);
    const opened = await payBalance(presale.id, order.id, who);
    expect(opened.status).toBe(201);

    await balanceWindow(order.id, "closed");
    expect(await runAlarm(order.id)).toBe(true);
    const after = await readOrder(presale.id, order.id, who);
    expect(after.order.status).toBe("deposit_forfeited");
    expect(after.releasedAt).not.toBeNull();
    expect(await stockOf(presale.skuId)).toBe(10);
    expect(await ledgerSum(presale.skuId)).toBe(10);
    expect(await presaleLeft(presale.id)).toBe(20);
    // The deposit is kept (no refund), the balance never charged.
    expect((await paymentsOf(order.id)).map((p) => p.status)).toEqual(["succeeded", "requires_payment"]);
    expect(await eventsOf(order.id)).toEqual([
      "order.created",
      "order.deposit_paid",
      "order.balance_due",
      "order.deposit_forfeited",
    ]);
    // Again: nothing more moves.
    expect(await runAlarm(order.id)).toBe(false);
    const late = await payBalance(presale.id, order.id, who);
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "balance_window_closed" });
    expect(await stockOf(presale.skuId)).toBe(10);

    // The balance payment opened before the close succeeds after all: it is given back, the deposit is not.
    const balanceId = (await opened.json<PresaleOrder>()).balancePayment?.id ?? "";
    expect((await sandbox(balanceId, who, { outcome: "succeed" })).status).toBe(200);
    expect((await readOrder(presale.id, order.id, who)).order.status).toBe("deposit_forfeited");
    const refunds = await call("GET", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(presale.merchant) });
    const list = await refunds.json<{ data: { paymentId: string; status: string; amount: { amount: number } }[] }>();
    expect(list.data.map((r) => [r.paymentId, r.status, r.amount.amount])).toEqual([[balanceId, "succeeded", 10_000]]);
  });

  it("refuses a balance paid after its window even before the alarm has run: 409, nothing charged", async () => {
    const who = "pre-late";
    const { presale, order } = await presaleWithDeposit(who);
    await balanceWindow(order.id, "closed");
    const late = await payBalance(presale.id, order.id, who);
    expect(late.status).toBe(409);
    const problem = await late.json<{ code: string; requestId: string }>();
    expect(problem.code).toBe("balance_window_closed");
    expect(problem.requestId).toBeTruthy();
    expect(await paymentsOf(order.id)).toHaveLength(1);
  });

  it("holds the forfeit while a balance payment is processing; its success then makes the order paid", async () => {
    const who = "pre-processing";
    const { presale, order } = await presaleWithDeposit(who);
    await balanceWindow(order.id, "open");
    const opened = await (await payBalance(presale.id, order.id, who)).json<PresaleOrder>();
    const balanceId = opened.balancePayment?.id ?? "";
    expect((await sandbox(balanceId, who, { outcome: "pending" })).status).toBe(200);
    await balanceWindow(order.id, "closed");
    expect(await runAlarm(order.id)).toBe(true);
    expect((await readOrder(presale.id, order.id, who)).order.status).toBe("pending_balance");
    expect((await sandbox(balanceId, who, { outcome: "succeed" })).status).toBe(200);
    expect((await readOrder(presale.id, order.id, who)).order.status).toBe("paid");
  });

  it("cancels an order whose deposit is not paid by its deadline, releasing its units", async () => {
    const presale = await newPresale({ stock: 5 });
    const who = "pre-timeout";
    const placed = await (await placeOrder(presale.id, who, 2)).json<PresaleOrder>();
    expect(await stockOf(presale.skuId)).toBe(3);
    expect(await runAlarm(placed.order.id)).toBe(true); // not yet due: re-armed, nothing changes
    expect((await readOrder(presale.id, placed.order.id, who)).order.status).toBe("pending_deposit");
    await depositOverdue(placed.order.id);
    expect(await runAlarm(placed.order.id)).toBe(true);
    const after = await readOrder(presale.id, placed.order.id, who);
    expect(after.order).toMatchObject({ status: "cancelled", cancelReason: "payment_timeout" });
    expect(await stockOf(presale.skuId)).toBe(5);
    expect(await ledgerSum(presale.skuId)).toBe(5);
    expect(await presaleLeft(presale.id)).toBe(20);
    expect(await eventsOf(placed.order.id)).toEqual(["order.created", "order.cancelled"]);
  });

  it("lets the shopper cancel before the deposit only; the merchant's cancellation refunds the deposit", async () => {
    const presale = await newPresale({ stock: 5 });
    const who = "pre-cancel";
    const cancel = (orderId: string, headers: Record<string, string>) =>
      call("POST", `/v1/presales/${presale.id}/orders/${orderId}/cancel`, { headers });

    const unpaid = await (await placeOrder(presale.id, who)).json<PresaleOrder>();
    expect((await cancel(unpaid.order.id, shopper(who))).status).toBe(200);
    expect((await cancel(unpaid.order.id, shopper(who))).status).toBe(200); // idempotent
    // The order routes' cancel follows the same rule.
    const other = await (await placeOrder(presale.id, who)).json<PresaleOrder>();
    const viaOrders = await call("POST", `/v1/orders/${other.order.id}/cancel`, { headers: shopper(who) });
    expect(viaOrders.status).toBe(200);
    expect(await viaOrders.json()).toMatchObject({ status: "cancelled", cancelReason: "customer" });
    expect(await eventsOf(other.order.id)).toEqual(["order.created", "order.cancelled"]);

    const { order } = await depositPaid(presale.id, who);
    const refused = await cancel(order.id, shopper(who));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "conflict" });
    const refusedViaOrders = await call("POST", `/v1/orders/${order.id}/cancel`, { headers: shopper(who) });
    expect(refusedViaOrders.status).toBe(409);
    expect((await cancel(order.id, shopper("pre-someone-else"))).status).toBe(404);
    expect((await cancel(order.id, asMerchant(otherMerchantId))).status).toBe(404);
    // Reading it: another shopper or merchant finds nothing; no credential at all is told to bring one.
    const read = (headers: Record<string, string>) =>
      call("GET", `/v1/presales/${presale.id}/orders/${order.id}`, { headers });
    expect((await read(shopper("pre-someone-else"))).status).toBe(404);
    expect((await read(asMerchant(otherMerchantId))).status).toBe(404);
    expect((await read({})).status).toBe(401);

    const byMerchant = await cancel(order.id, asMerchant(presale.merchant));
    expect(byMerchant.status, await byMerchant.clone().text()).toBe(200);
    expect((await byMerchant.json<PresaleOrder>()).order).toMatchObject({
      status: "cancelled",
      cancelReason: "merchant",
    });
    const refunds = await call("GET", `/v1/orders/${order.id}/refunds`, { headers: asMerchant(presale.merchant) });
    expect(refunds.status).toBe(200);
    const list = await refunds.json<{ data: { status: string; amount: { amount: number } }[] }>();
    expect(list.data.map((r) => [r.status, r.amount.amount])).toEqual([["succeeded", 10_000]]);
    expect(await stockOf(presale.skuId)).toBe(5);
    expect(await ledgerSum(presale.skuId)).toBe(5);
  });
});

describe("refusals at the order", () => {
  it("never takes more than the pre-sale's quantity, however many shoppers press at once", async () => {
    const presale = await newPresale({ quantity: 10, stock: 100 });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => placeOrder(presale.id, `pre-rush-${i}`, 1)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    const problems = await Promise.all(results.filter((r) => r.status === 409).map((r) => r.json<{ code: string }>()));
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(["sold_out"]));
    expect(await stockOf(presale.skuId)).toBe(90);
    expect(await ledgerSum(presale.skuId)).toBe(90);
    expect(await presaleLeft(presale.id)).toBe(0);
  });

  it("holds each shopper to the per-shopper limit, and the SKU's stock bounds the pre-sale", async () => {
    const presale = await newPresale({ perShopperLimit: 2, stock: 3 });
    const who = "pre-limit";
    expect((await placeOrder(presale.id, who, 3)).status).toBe(409);
    expect((await placeOrder(presale.id, who, 2)).status).toBe(201);
    const over = await placeOrder(presale.id, who, 1);
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({ code: "limit_exceeded", errors: [{ path: "/quantity" }] });
    const short = await placeOrder(presale.id, "pre-limit-2", 2);
    expect(short.status).toBe(409);
    expect(await short.json()).toMatchObject({ code: "sold_out" });
    expect(await stockOf(presale.skuId)).toBe(1);
  });

  it("refuses orders outside the deposit window (presale_not_open) and without a person signed in", async () => {
    const { skuIds } = await createSkus({ prices: [20_000], stock: 5 });
    const res = await call("POST", "/v1/presales", {
      headers: asMerchant(merchantId),
      body: presaleTerms(skuIds[0] ?? "", {
        quantity: 5,
        deposit: { amount: 5_000, currency: "CNY" },
        deduction: { amount: 5_000, currency: "CNY" },
        depositStartsAt: inMs(hour),
        depositEndsAt: inMs(2 * hour),
        balanceStartsAt: inMs(3 * hour),
        balanceEndsAt: inMs(4 * hour),
      }),
    });
    const presale = await res.json<{ id: string; status: string }>();
    expect(presale.status).toBe("scheduled");
    const early = await placeOrder(presale.id, "pre-too-early");
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "presale_not_open" });
    expect(await stockOf(skuIds[0] ?? "")).toBe(5);
    const anonymous = await call("POST", `/v1/presales/${presale.id}/orders`, { body: { quantity: 1 }, key: key() });
    expect(anonymous.status).toBe(401);
    const noKey = await call("POST", `/v1/presales/${presale.id}/orders`, {
      headers: shopper("x"),
      body: { quantity: 1 },
    });
    expect(noKey.status).toBe(400);
  });
});
