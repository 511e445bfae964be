// A provider's signed webhook: verified by the provider, then each event applied once per event id: payment events
// to the payment and its order, refund events to the refund (settleRefund).
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import type { PaymentProviderName } from "../config.ts";
import { settleRefund } from "../refunds/settle-refund.ts";
import { applyPaymentEvent } from "./apply-payment-event.ts";
import { paymentProvider } from "./providers.ts";

export async function receiveWebhook(env: Env, name: PaymentProviderName, body: string, headers: Headers) {
  const provider = paymentProvider(env, name);
  const verified = await provider.verifyWebhook(body, headers, Date.now());
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
    results.push(
      event.kind === "payment"
        ? await applyPaymentEvent({ env, db, provider: name, event })
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
