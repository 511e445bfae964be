// A refund is never left pending: its RefundRecovery alarm (run here with runDurableObjectAlarm) sends again, with
// the same provider idempotency keys, the parts that never got an answer, asks Stripe (the fake, at its HTTP
// boundary) about the parts it holds, and settles the refund as settleRefund always does.
//
// A lost answer is made honestly: the real route reserves the refund and calls the fake Stripe, which carries the
// refund out but answers 500 (the SDK's retry too, `lost` in test/stripe-fake.ts), as if the answer never came
// back; the part is left pending without a Stripe reference, as a Worker dying mid-request would leave it.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ATTEMPTS } from "../../../workers/checkout/src/refunds/refund-recovery.ts";
import { cny, newMerchant } from "./helpers.ts";
import { orderOf } from "./orders.ts";
import { readOrder } from "./presales-helpers.ts";
import {
  parts,
  pendingPresaleRefund,
  providerRefundId,
  readRefund,
  refund,
  refundedFigure,
  refundMade,
  stripeRefundObjects,
  stripeRefunds,
  unitParts,
} from "./refunds-helpers.ts";
import { paidOrderOf, stripeEvent, stripeFake, stripeRefundsAnswer } from "./returns-helpers.ts";

const recovery = (refundId: string) => runDurableObjectAlarm(env.REFUND_RECOVERY.getByName(refundId));

/** A refund of `amount` of a paid Stripe order (20000) that Stripe made and left pending: its part has a reference. */
async function pendingAtStripe(who: string, amount: number) {
  const merchant = await newMerchant();
  const { order } = await paidOrderOf(who, merchant, [{ price: 20_000, quantity: 1 }], "stripe");
  await stripeRefundsAnswer("pending", { "metadata[order_id]": order.id }, 1);
  const made = await refundMade(order.id, merchant, { amount: cny(amount) });
  expect(made).toMatchObject({ status: "pending", amount: cny(amount) });
  const stripeId = await providerRefundId(made.id, order.payment?.id ?? "");
  expect(stripeId).toMatch(/^re_/);
  return { merchant, order, made, stripeId };
}

describe("refund recovery", () => {
  it("a part whose answer was lost is sent again by the alarm with the same key; Stripe holds one refund", async () => {
    const merchant = await newMerchant();
    const { order } = await paidOrderOf("rr-lost", merchant, [{ price: 20_000, quantity: 1 }], "stripe");
    await stripeRefundsAnswer("lost", { "metadata[order_id]": order.id }, 2);
    const made = await refundMade(order.id, merchant, { amount: cny(8_000) });
    expect(made).toMatchObject({ status: "pending", amount: cny(8_000) });
    expect(parts(made)).toEqual([[order.payment?.id, 8_000, "pending"]]);
    // Stripe did make it, but we do not know: the money is held, the order not yet refunded.
    expect(await stripeRefundObjects(order.id)).toHaveLength(1);
    expect(await providerRefundId(made.id, order.payment?.id ?? "")).toBe("null");
    expect(await orderOf(order.id, "rr-lost")).toMatchObject({ status: "paid" });
    expect(await (await refund(order.id, merchant, { amount: cny(12_001) })).json()).toMatchObject({
      code: "refund_exceeds_payment",
    });

    expect(await recovery(made.id)).toBe(true);
    const after = await readRefund(order.id, merchant, made.id);
    expect(after).toMatchObject({ status: "succeeded", failureReason: null });
    expect(parts(after)).toEqual([[order.payment?.id, 8_000, "succeeded"]]);
    expect(await orderOf(order.id, "rr-lost")).toMatchObject({ status: "partially_refunded" });
    expect(await refundedFigure(merchant)).toBe(8_000);
    // Three requests under one key (the lost one, the SDK's retry, the alarm's), one Refund at Stripe: the one
    // recorded.
    const sent = await stripeRefunds(order.id);
    expect(sent.map((r) => r.idempotencyKey)).toEqual([made.id, made.id, made.id]);
    const held = await stripeRefundObjects(order.id);
    expect(held.map((r) => [r.amount, r.status])).toEqual([[8_000, "succeeded"]]);
    expect(await providerRefundId(made.id, order.payment?.id ?? "")).toBe(held[0]?.id);
    // Settled, it is not armed again.
    expect(await recovery(made.id)).toBe(false);
  });

  it("a part Stripe holds pending is settled by the alarm asking Stripe about it", async () => {
    const { merchant, order, made, stripeId } = await pendingAtStripe("rr-ask", 20_000);

    // Still pending at Stripe: nothing changes, the alarm looks again later.
    expect(await recovery(made.id)).toBe(true);
    expect(await readRefund(order.id, merchant, made.id)).toMatchObject({ status: "pending" });
    // Stripe settles it, and its webhook is never delivered.
    await stripeFake("events", { type: "refund.updated", object: stripeId, status: "succeeded" });
    expect(await recovery(made.id)).toBe(true);
    expect(await readRefund(order.id, merchant, made.id)).toMatchObject({ status: "succeeded" });
    expect(await orderOf(order.id, "rr-ask")).toMatchObject({ status: "refunded" });
    expect(await refundedFigure(merchant)).toBe(20_000);
    // Asked twice (GET /v1/refunds/{id}), never sent again.
    const asked = (
      await (await fetch(`${env.STRIPE_API_BASE}/_fake/requests`)).json<{ method: string; path: string }[]>()
    ).filter((r) => r.path === `/v1/refunds/${stripeId}`);
    expect(asked.map((r) => r.method)).toEqual(["GET", "GET"]);
    expect(await stripeRefunds(order.id)).toHaveLength(1);
    expect(await recovery(made.id)).toBe(false);
  });

  it("the alarm of a refund a webhook has settled changes nothing", async () => {
    const { merchant, order, made, stripeId } = await pendingAtStripe("rr-done", 5_000);
    expect((await stripeEvent("refund.updated", stripeId, { status: "failed" })).status).toBe(200);
    const settled = await readRefund(order.id, merchant, made.id);
    expect(settled).toMatchObject({ status: "failed" });
    const requestsBefore = await (await fetch(`${env.STRIPE_API_BASE}/_fake/requests`)).json<unknown[]>();

    expect(await recovery(made.id)).toBe(true);
    expect(await readRefund(order.id, merchant, made.id)).toEqual(settled);
    expect(await (await fetch(`${env.STRIPE_API_BASE}/_fake/requests`)).json<unknown[]>()).toHaveLength(
      requestsBefore.length,
    );
    expect(await orderOf(order.id, "rr-done")).toMatchObject({ status: "paid" });
    expect(await refundedFigure(merchant)).toBe(0);
    expect(await recovery(made.id)).toBe(false);
  });

  it("a pre-sale refund whose first part's answer was lost recovers both parts, the balance then the deposit", async () => {
    const who = "rr-presale";
    const { presale, orderId, depositId, balanceId, made } = await pendingPresaleRefund(who, "lost", 2);
    // The deposit's part waits behind the balance's, unsent.
    expect(parts(made)).toEqual(unitParts({ balanceId, depositId }, "pending"));
    expect((await stripeRefunds(orderId)).map((r) => r.fields["metadata[payment_id]"])).toEqual([balanceId, balanceId]);

    expect(await recovery(made.id)).toBe(true);
    const after = await readRefund(orderId, presale.merchant, made.id);
    expect(after).toMatchObject({ status: "succeeded" });
    expect(parts(after)).toEqual(unitParts({ balanceId, depositId }, "succeeded"));
    expect((await stripeRefunds(orderId)).map((r) => r.idempotencyKey)).toEqual([
      `${made.id}_${balanceId}`,
      `${made.id}_${balanceId}`,
      `${made.id}_${balanceId}`,
      `${made.id}_${depositId}`,
    ]);
    expect((await stripeRefundObjects(orderId)).map((r) => r.amount).sort()).toEqual([10_000, 5_000].sort());
    expect((await readOrder(presale.id, orderId, who)).order.status).toBe("refunded");
    expect(await refundedFigure(presale.merchant)).toBe(15_000);
    expect(await recovery(made.id)).toBe(false);
  });
  it("after its last attempt a part Stripe never answered for fails, and its amount may be refunded again", async () => {
    const merchant = await newMerchant();
    const { order } = await paidOrderOf("rr-bound", merchant, [{ price: 20_000, quantity: 1 }], "stripe");
    // Stripe is down for the request, the SDK's retry, and both again at every attempt.
    await stripeRefundsAnswer("unavailable", { "metadata[order_id]": order.id }, 2 * (1 + ATTEMPTS));
    const made = await refundMade(order.id, merchant, {});
    expect(made).toMatchObject({ status: "pending" });
    for (let attempt = 1; attempt < ATTEMPTS; attempt++) {
      expect(await recovery(made.id)).toBe(true);
      expect(await readRefund(order.id, merchant, made.id)).toMatchObject({ status: "pending" });
    }
    expect(await recovery(made.id)).toBe(true);
    expect(await readRefund(order.id, merchant, made.id)).toMatchObject({
      status: "failed",
      failureReason: "provider_unavailable",
    });
    expect(await recovery(made.id)).toBe(false);
    expect(await stripeRefunds(order.id)).toHaveLength(2 * (1 + ATTEMPTS));
    expect(await stripeRefundObjects(order.id)).toHaveLength(0);
    expect(await orderOf(order.id, "rr-bound")).toMatchObject({ status: "paid" });
    expect(await (await refund(order.id, merchant, {})).json()).toMatchObject({ status: "succeeded" });
  }, 60_000); // the SDK waits before each retry
});
