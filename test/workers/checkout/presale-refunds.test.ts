// Refunds of a pre-sale order paid by two payments (deposit 100.00, balance 50.00 a unit): one refund split into
// parts, the balance first, one provider refund per part (sandbox, and the fake Stripe at its HTTP boundary).
import { describe, expect, it } from "vitest";
import { shopper } from "./callers.ts";
import { call, cny, key } from "./helpers.ts";
import { sandbox } from "./orders.ts";
import { balanceWindow, type PresaleOrder, payBalance, presaleWithDeposit, readOrder } from "./presales-helpers.ts";
import {
  paidByStripe,
  parts,
  pendingPresaleRefund,
  providerRefundId,
  type Refund,
  readRefund,
  refund,
  refundedFigure,
  refundMade,
  stripeRefunds,
  unitParts,
} from "./refunds-helpers.ts";
import { decide, deliver, requestReturn, stripeEvent, stripeRefundsAnswer } from "./returns-helpers.ts";

/** A pre-sale order of `quantity` units whose deposit and balance the sandbox has taken. */
async function paidBySandbox(who: string, quantity = 1) {
  const { presale, order, depositPayment } = await presaleWithDeposit(who, quantity);
  await balanceWindow(order.id, "open");
  const opened = await (await payBalance(presale.id, order.id, who)).json<PresaleOrder>();
  const balanceId = opened.balancePayment?.id ?? "";
  expect((await sandbox(balanceId, who, { outcome: "succeed" })).status).toBe(200);
  expect((await readOrder(presale.id, order.id, who)).order.status).toBe("paid");
  return { presale, orderId: order.id, depositId: depositPayment.id, balanceId };
}

describe("refunds of a pre-sale order across its deposit and balance", () => {
  it("a whole-line return gives back deposit + balance in two parts, the balance first; the order is refunded", async () => {
    const who = "psr-return";
    const { presale, orderId, depositId, balanceId } = await paidBySandbox(who);
    await deliver(orderId, presale.merchant);
    const asked = await requestReturn(orderId, who, { lines: [{ position: 0, quantity: 1 }], reason: "不喜欢" });
    expect(asked.status, await asked.clone().text()).toBe(201);
    const ret = await asked.json<{ id: string }>();
    const approved = await decide(ret.id, presale.merchant, "approve");
    expect(approved.status, await approved.clone().text()).toBe(200);
    const { refundId } = await approved.json<{ refundId: string; status: string }>();

    const list = await (await call("GET", `/v1/orders/${orderId}/refunds`, { headers: shopper(who) })).json<{
      data: Refund[];
    }>();
    expect(list.data).toHaveLength(1);
    const [made] = list.data as [Refund];
    expect(made).toMatchObject({
      id: refundId,
      status: "succeeded",
      paymentId: balanceId,
      amount: cny(15_000), // what the shopper paid for the line: 100.00 + 50.00, not the 150.00 deducted
      lines: [{ position: 0, quantity: 1, amount: cny(15_000) }],
    });
    expect(parts(made)).toEqual(unitParts({ balanceId, depositId }, "succeeded"));
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");
    const after = await call("GET", `/v1/returns/${ret.id}`, { headers: shopper(who) });
    expect(await after.json()).toMatchObject({ status: "refunded", refundId });
    // Nothing is left: another refund of anything is refused.
    expect((await refund(orderId, presale.merchant, { amount: cny(1) })).status).toBe(409);
  });

  it("splits a partial refund larger than the balance, and never refunds more than was paid in total", async () => {
    const who = "psr-partial";
    const { presale, orderId, depositId, balanceId } = await paidBySandbox(who, 2); // 20000 + 10000
    const over = await refund(orderId, presale.merchant, { amount: cny(30_001) });
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({
      code: "refund_exceeds_payment",
      errors: [{ path: "/amount", message: "at most 30000" }],
    });

    const made = await refundMade(orderId, presale.merchant, { amount: cny(12_000) });
    expect(made).toMatchObject({ status: "succeeded", amount: cny(12_000) });
    expect(parts(made)).toEqual([
      [balanceId, 10_000, "succeeded"],
      [depositId, 2_000, "succeeded"],
    ]);
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("partially_refunded");

    // 18000 is left, all of it on the deposit.
    const tooMuch = await refund(orderId, presale.merchant, { amount: cny(18_001) });
    expect(await tooMuch.json()).toMatchObject({
      code: "refund_exceeds_payment",
      errors: [{ message: "at most 18000" }],
    });
    // One unit of the line (15000 of the 30000 paid for two) now: 12000 given back was not for units, so it is the
    // unit's worth, from the deposit alone.
    const unit = await refundMade(orderId, presale.merchant, { lines: [{ position: 0, quantity: 1 }] });
    expect(unit).toMatchObject({ status: "succeeded", amount: cny(15_000) });
    expect(parts(unit)).toEqual([[depositId, 15_000, "succeeded"]]);
    const rest = await refundMade(orderId, presale.merchant, {});
    expect(rest).toMatchObject({ status: "succeeded", amount: cny(3_000) });
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");
  });

  it("sends one Stripe refund per part, keyed by refund and payment; a retried request refunds nothing twice", async () => {
    const who = "psr-stripe";
    const { presale, orderId, depositId, balanceId } = await paidByStripe(who);
    const idempotencyKey = key();
    const body = { lines: [{ position: 0, quantity: 1 }] };
    const made = await refundMade(orderId, presale.merchant, body, idempotencyKey);
    expect(made).toMatchObject({ status: "succeeded", amount: cny(15_000) });
    expect(parts(made)).toEqual(unitParts({ balanceId, depositId }, "succeeded"));
    const sent = await stripeRefunds(orderId);
    expect(sent.map((r) => [r.idempotencyKey, r.fields.amount, r.fields["metadata[payment_id]"]])).toEqual([
      [`${made.id}_${balanceId}`, "5000", balanceId],
      [`${made.id}_${depositId}`, "10000", depositId],
    ]);
    expect(new Set(sent.map((r) => r.fields.payment_intent)).size).toBe(2);
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");

    const replay = await refund(orderId, presale.merchant, body, idempotencyKey);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(made);
    expect(await stripeRefunds(orderId)).toHaveLength(2);
  });

  it("a failed part fails the refund, keeps what succeeded given back, and a retry refunds only the rest", async () => {
    const who = "psr-fail";
    const { presale, orderId, depositId, balanceId } = await paidByStripe(who);
    await stripeRefundsAnswer("disputed", { "metadata[payment_id]": depositId }, 1);
    const body = { lines: [{ position: 0, quantity: 1 }] };
    const failed = await refundMade(orderId, presale.merchant, body);
    expect(failed).toMatchObject({ status: "failed", failureReason: "charge_disputed", amount: cny(15_000) });
    expect(parts(failed)).toEqual(unitParts({ balanceId, depositId }, "succeeded", "failed"));
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("partially_refunded");
    expect(await refundedFigure(presale.merchant)).toBe(5_000); // what it did give back
    // 10000 is left to refund, all of it on the deposit.
    const over = await refund(orderId, presale.merchant, { amount: cny(10_001) });
    expect(await over.json()).toMatchObject({ code: "refund_exceeds_payment", errors: [{ message: "at most 10000" }] });

    // The merchant retries with a new key: only the deposit's 10000, the balance is not refunded again.
    const again = await refundMade(orderId, presale.merchant, body);
    expect(again).toMatchObject({
      status: "succeeded",
      amount: cny(10_000),
      lines: [{ position: 0, quantity: 1, amount: cny(10_000) }],
    });
    expect(parts(again)).toEqual([[depositId, 10_000, "succeeded"]]);
    const sent = await stripeRefunds(orderId);
    expect(sent.filter((r) => r.fields["metadata[payment_id]"] === balanceId)).toHaveLength(1);
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");
    expect(await refundedFigure(presale.merchant)).toBe(15_000);
    expect((await refund(orderId, presale.merchant, body)).status).toBe(409);
  });

  it("a part Stripe leaves pending settles by its own webhook; the refund settles when all parts have", async () => {
    const who = "psr-pending";
    const { presale, orderId, depositId, balanceId, made } = await pendingPresaleRefund(who, "pending", 1);
    expect(parts(made)).toEqual(unitParts({ balanceId, depositId }, "pending", "succeeded"));
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("partially_refunded");
    expect(await refundedFigure(presale.merchant)).toBe(0); // counted when the refund settles

    const stripeId = await providerRefundId(made.id, balanceId);
    expect(stripeId).toMatch(/^re_/);
    const settled = await stripeEvent("refund.updated", stripeId, { status: "succeeded" });
    expect(await settled.json()).toEqual({ received: true, duplicate: false });
    const after = await readRefund(orderId, presale.merchant, made.id);
    expect(after).toMatchObject({ status: "succeeded" });
    expect(parts(after)).toEqual(unitParts({ balanceId, depositId }, "succeeded"));
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");
    expect(await refundedFigure(presale.merchant)).toBe(15_000);
    // The same delivery again changes nothing.
    const duplicate = await stripeEvent("refund.updated", stripeId, { status: "succeeded" });
    expect(await duplicate.json()).toMatchObject({ received: true });
    expect(await refundedFigure(presale.merchant)).toBe(15_000);
  });
});
