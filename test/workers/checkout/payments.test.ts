import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { signSandbox } from "../../../workers/checkout/src/payments/sandbox.ts";
import { shopper } from "./callers.ts";
import { call, key, stockOf } from "./helpers.ts";
import { type Outcome, orderOf, sandbox, unpaidOrder } from "./orders.ts";

const deliver = (webhook: { signature: string; body: string }) =>
  call("POST", "/v1/webhooks/sandbox", {
    headers: { "x-sandbox-signature": webhook.signature, "content-type": "application/json" },
    body: JSON.parse(webhook.body),
  });

describe("sandbox payments", () => {
  it("succeeds: the payment succeeds and the order is paid; a replay of the key answers the same", async () => {
    const { order, paymentId } = await unpaidOrder("pay1");
    // PAYMENT_PROVIDER's default: sandbox, which needs nothing from the storefront to confirm.
    expect(order.payment).toMatchObject({ provider: "sandbox", status: "requires_payment", clientSecret: null });
    const k = key();
    const res = await sandbox(paymentId, "pay1", { outcome: "succeed" }, k);
    expect(res.status).toBe(200);
    const outcome = await res.json<Outcome>();
    expect(outcome).toMatchObject({ delivered: true, payment: { status: "succeeded" } });
    expect(await orderOf(order.id, "pay1")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    const replay = await sandbox(paymentId, "pay1", { outcome: "succeed" }, k);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(outcome);
    // After success, no other outcome.
    expect((await sandbox(paymentId, "pay1", { outcome: "fail" })).status).toBe(409);
    // Only the order's customer may decide.
    expect((await sandbox(paymentId, "intruder", { outcome: "succeed" })).status).toBe(404);
    expect((await call("GET", `/v1/payments/${paymentId}`, { headers: shopper("pay1") })).status).toBe(200);
  });

  it("applies each webhook event once, whatever the duplicates and the order of arrival", async () => {
    const { order, paymentId } = await unpaidOrder("pay2");
    const pending = await (await sandbox(paymentId, "pay2", { outcome: "pending", deliver: false })).json<Outcome>();
    const succeeded = await (await sandbox(paymentId, "pay2", { outcome: "succeed", deliver: false })).json<Outcome>();
    expect(pending.payment.status).toBe("requires_payment");

    // The newer event first, then it again (duplicate), then the older one, late: still paid, once.
    const first = await deliver(succeeded.webhook);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    expect(await (await deliver(succeeded.webhook)).json()).toEqual({ received: true, duplicate: true });
    expect(await (await deliver(pending.webhook)).json()).toEqual({ received: true, duplicate: false });
    expect(await orderOf(order.id, "pay2")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    const events = await database(env).$client.execute({
      sql: "SELECT count(*) AS n FROM payment_events WHERE payment_id = ?",
      args: [paymentId],
    });
    expect(Number(events.rows[0]?.n)).toBe(2);
    // Parallel duplicates of a fresh order's success: paid once.
    const other = await unpaidOrder("pay2b");
    const ok = await (await sandbox(other.paymentId, "pay2b", { outcome: "succeed", deliver: false })).json<Outcome>();
    const storm = await Promise.all(Array.from({ length: 8 }, () => deliver(ok.webhook)));
    const duplicates = await Promise.all(storm.map(async (r) => (await r.json<{ duplicate: boolean }>()).duplicate));
    expect(duplicates.filter((d) => !d)).toHaveLength(1);
    expect(await orderOf(other.order.id, "pay2b")).toMatchObject({ status: "paid" });
  });

  it("a failure leaves the order awaiting payment; a later success pays it; a success is never undone", async () => {
    const { order, paymentId } = await unpaidOrder("pay3");
    const failed = await (await sandbox(paymentId, "pay3", { outcome: "fail" })).json<Outcome>();
    expect(failed.payment.status).toBe("failed");
    expect(await orderOf(order.id, "pay3")).toMatchObject({ status: "pending_payment" });
    // A success issued before a failure but delivered after it still counts (money taken is a fact).
    const success = await (await sandbox(paymentId, "pay3", { outcome: "succeed", deliver: false })).json<Outcome>();
    const laterFailure = await (await sandbox(paymentId, "pay3", { outcome: "fail", deliver: false })).json<Outcome>();
    await deliver(laterFailure.webhook);
    await deliver(success.webhook);
    expect(await orderOf(order.id, "pay3")).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
  });

  it("refuses webhooks with a bad, missing or stale signature with 401 unauthorized", async () => {
    const { paymentId } = await unpaidOrder("pay4");
    const outcome = await (await sandbox(paymentId, "pay4", { outcome: "succeed", deliver: false })).json<Outcome>();
    const tampered = { ...outcome.webhook, body: outcome.webhook.body.replace("succeeded", "failed") };
    expect((await deliver(tampered)).status).toBe(401);
    const stale = await signSandbox(env.SANDBOX_WEBHOOK_SECRET, outcome.webhook.body, Date.now() - 301_000);
    expect((await deliver({ body: outcome.webhook.body, signature: stale })).status).toBe(401);
    const wrongKey = await signSandbox("whsec_other", outcome.webhook.body, Date.now());
    expect((await deliver({ body: outcome.webhook.body, signature: wrongKey })).status).toBe(401);
    const missing = await call("POST", "/v1/webhooks/sandbox", { body: JSON.parse(outcome.webhook.body) });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      code: "unauthorized",
      errors: [{ path: "/headers/x-sandbox-signature", message: "missing signature" }],
    });
    expect((await call("GET", `/v1/payments/${paymentId}`, { headers: shopper("pay4") })).status).toBe(200);
    expect(await (await call("GET", `/v1/payments/${paymentId}`, { headers: shopper("pay4") })).json()).toMatchObject({
      status: "requires_payment",
    });
  });

  it("does not time out an order whose payment is processing; a failure after the deadline lets it go", async () => {
    const { order, paymentId, sku } = await unpaidOrder("pay5");
    await sandbox(paymentId, "pay5", { outcome: "pending" });
    await database(env).$client.execute({
      sql: "UPDATE orders SET payment_due_at = ? WHERE id = ?",
      args: [new Date(Date.now() - 1000).toISOString(), order.id],
    });
    await runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(order.id));
    expect(await orderOf(order.id, "pay5")).toMatchObject({ status: "pending_payment" });
    expect(await stockOf(sku)).toBe(4);
    await sandbox(paymentId, "pay5", { outcome: "fail" });
    // The timeout looked again later (re-armed); run it now.
    expect(await runDurableObjectAlarm(env.ORDER_DEADLINES.getByName(order.id))).toBe(true);
    expect(await orderOf(order.id, "pay5")).toMatchObject({ status: "cancelled" });
    expect(await stockOf(sku)).toBe(5);
  });
});
