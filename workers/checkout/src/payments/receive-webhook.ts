// A provider's signed webhook: verified by the provider, then each event applied once per event id: payment events
// to the payment and its order, refund events to the refund (settleRefund). An event applies only to a payment of
// its own mode: the sandbox's never to a live one.
import { type Database, database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import type { Mode } from "#shared/principal.ts";
import { type PaymentProviderName, sandboxSecret, stripeSettings } from "../config.ts";
import { settleRefund } from "../refunds/settle-refund.ts";
import { applyPaymentEvent } from "./apply-payment-event.ts";
import type { PaymentProvider, VerifyResult } from "./provider.ts";
import { paymentProvider } from "./providers.ts";

/**
 * The provider that signed this delivery, and the mode it is of: the sandbox's are test (and refused when it is off);
 * Stripe's are checked with each mode's webhook secret configured, test first.
 */
async function verifiedBy(env: Env, name: PaymentProviderName, body: string, headers: Headers) {
  if (name === "sandbox") {
    // No shipped default: a deployment without the secret has the sandbox webhook off, and no order moves.
    if (!sandboxSecret(env)) {
      throw new ProblemError(
        "payment_provider_disabled",
        "The sandbox webhook is off here: SANDBOX_WEBHOOK_SECRET is not set (the sandbox is for test mode, locally).",
      );
    }
    const provider = paymentProvider(env, name, "test");
    return { provider, mode: "test" as const, verified: await provider.verifyWebhook(body, headers, Date.now()) };
  }
  const configured = (["test", "live"] as const).filter((mode) => stripeSettings(env, mode) !== null);
  let refused: { provider: PaymentProvider; mode: Mode; verified: VerifyResult } | undefined;
  // With neither mode configured, paymentProvider answers that Stripe is disabled.
  for (const mode of configured.length > 0 ? configured : (["test"] as const)) {
    const provider = paymentProvider(env, name, mode);
    const verified = await provider.verifyWebhook(body, headers, Date.now());
    if (verified.ok) return { provider, mode, verified };
    refused ??= { provider, mode, verified };
  }
  if (!refused) throw new Error("no Stripe mode was tried");
  return refused;
}

/** Whether refund `refundId` is of `mode` (its order's); an unknown refund is left to settleRefund to answer. */
async function refundInMode(db: Database, refundId: string, mode: Mode): Promise<boolean> {
  const found = await db.$client.execute({
    sql: "SELECT o.livemode FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.id = ?",
    args: [refundId],
  });
  const row = found.rows[0];
  return row === undefined || Boolean(row.livemode) === (mode === "live");
}

export async function receiveWebhook(env: Env, name: PaymentProviderName, body: string, headers: Headers) {
  const { provider, mode, verified } = await verifiedBy(env, name, body, headers);
  if (!verified.ok) {
    // As the LiveKit webhook: a delivery no one can be shown to have sent is unauthenticated, not a bad field.
    throw new ProblemError(
      verified.unsigned ? "unauthorized" : "validation_failed",
      `The webhook was refused: ${verified.reason}.`,
      {
        errors: [{ path: `/headers/${provider.signatureHeader}`, message: verified.reason }],
      },
    );
  }
  const db = database(env);
  const results = [];
  for (const event of verified.events) {
    // A refund of the other mode's order is not this event's to settle (as a payment of the other mode).
    if (event.kind === "refund" && !(await refundInMode(db, event.refundId, mode))) {
      results.push({ duplicate: false, known: false });
      continue;
    }
    results.push(
      event.kind === "payment"
        ? await applyPaymentEvent({ env, db, provider: name, livemode: mode === "live", event })
        : await settleRefund({
            db,
            refundId: event.refundId,
            parts: [
              { paymentId: event.paymentId, reference: event.reference, outcome: event.outcome, failureReason: null },
            ],
            event: { ...event, provider: name },
          }),
    );
  }
  // A duplicate: a delivery whose every event had been applied before.
  return { duplicate: results.length > 0 && results.every((r) => r.duplicate) };
}
