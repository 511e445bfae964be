// The Stripe provider: a PaymentIntent per payment and a Refund per refund part, each created with our own id as
// Stripe's idempotency key (a retry never charges or refunds twice); amounts go as they are, in minor units. Webhooks
// are verified, then applied as the intent (or refunds) stand at Stripe when read back, sequenced by that read, since
// an event's `created` counts whole seconds and one intent's events often share one.
// Design: docs/design/checkout.md#payment-events-are-applied-once
import Stripe from "stripe";
import { ProblemError } from "#shared/errors.ts";
import { log } from "#shared/log.ts";
import type { StripeSettings } from "../config.ts";
import type {
  PaymentOutcome,
  PaymentProvider,
  RefundAnswer,
  RefundEvent,
  RefundOutcome,
  VerifyResult,
} from "./provider.ts";
import { TOLERANCE_SECONDS } from "./sandbox.ts";

export const STRIPE_SIGNATURE_HEADER = "stripe-signature";

function client(settings: StripeSettings): Stripe {
  return new Stripe(settings.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 1,
    timeout: 10_000,
    telemetry: false,
    ...(settings.api ?? {}),
  });
}

/** The intent's state as our payment's: back at requires_payment_method after an attempt means it failed. */
function outcomeOf(intent: Stripe.PaymentIntent): PaymentOutcome {
  switch (intent.status) {
    case "succeeded":
      return "succeeded";
    case "requires_payment_method":
    case "canceled":
      return "failed";
    default:
      return "processing";
  }
}

function refundOutcomeOf(refund: Stripe.Refund): RefundOutcome {
  if (refund.status === "succeeded") return "succeeded";
  return refund.status === "failed" || refund.status === "canceled" ? "failed" : "pending";
}

const answerOf = (refund: Stripe.Refund): RefundAnswer => ({
  reference: refund.id,
  outcome: refundOutcomeOf(refund),
  failureReason: refund.failure_reason ?? null,
});

/** Our refund part's settlement, if the Stripe Refund names one of ours and is no longer pending. */
function settled(id: string, refund: Stripe.Refund, payload: string): RefundEvent[] {
  const refundId = refund.metadata?.refund_id;
  const paymentId = refund.metadata?.payment_id || null;
  const outcome = refundOutcomeOf(refund);
  return refundId && outcome !== "pending"
    ? [{ kind: "refund", id, refundId, paymentId, reference: refund.id, outcome, payload }]
    : [];
}

/** A Stripe call that could not be made or was refused, as the caller's problem (logged with Stripe's detail). */
function unavailable(what: string, err: unknown): ProblemError {
  const detail =
    err instanceof Stripe.errors.StripeError ? { type: err.type, code: err.code, status: err.statusCode } : {};
  log("warn", `stripe: ${what} failed`, { ...detail, message: err instanceof Error ? err.message : String(err) });
  return new ProblemError(
    "payment_provider_unavailable",
    `Stripe could not ${what} now; nothing was charged. Try again.`,
  );
}

export function stripeProvider(settings: StripeSettings): PaymentProvider {
  const stripe = client(settings);
  return {
    name: "stripe",
    signatureHeader: STRIPE_SIGNATURE_HEADER,
    async createPayment(payment) {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: payment.amount,
            currency: payment.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            metadata: { payment_id: payment.id, order_id: payment.orderId, cart_id: payment.cartId },
          },
          { idempotencyKey: payment.id },
        );
        return { reference: intent.id, clientSecret: intent.client_secret };
      } catch (err) {
        throw unavailable("open the payment", err);
      }
    },
    async cancelPayment(reference) {
      if (!reference) return;
      try {
        await stripe.paymentIntents.cancel(reference, { cancellation_reason: "abandoned" });
      } catch (err) {
        // Unconfirmed, it can never take money; Stripe's dashboard shows it as incomplete.
        log("warn", "stripe: could not cancel an unused PaymentIntent", {
          reference,
          message: err instanceof Error ? err.message : String(err),
        });
      }
    },
    async refund(refund) {
      if (!refund.paymentReference) throw new Error(`refund ${refund.id}: the payment has no PaymentIntent`);
      try {
        const created = await stripe.refunds.create(
          {
            payment_intent: refund.paymentReference,
            amount: refund.amount,
            metadata: {
              refund_id: refund.refundId,
              payment_id: refund.paymentId,
              order_id: refund.orderId,
              reason: refund.reason ?? "",
            },
          },
          { idempotencyKey: refund.id },
        );
        return answerOf(created);
      } catch (err) {
        // Stripe answered and refused (a 4xx): the refund failed. Anything else may be retried.
        if (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 500) < 500) {
          return { reference: null, outcome: "failed", failureReason: err.code ?? err.type };
        }
        throw unavailable("refund", err);
      }
    },
    async refundStatus(reference) {
      try {
        return answerOf(await stripe.refunds.retrieve(reference));
      } catch (err) {
        throw unavailable("be asked about the refund", err);
      }
    },
    async verifyWebhook(body, headers, nowMs): Promise<VerifyResult> {
      let event: Stripe.Event;
      try {
        event = await stripe.webhooks.constructEventAsync(
          body,
          headers.get(STRIPE_SIGNATURE_HEADER) ?? "",
          settings.webhookSecret,
          TOLERANCE_SECONDS,
          Stripe.createSubtleCryptoProvider(),
          nowMs,
        );
      } catch (err) {
        return { ok: false, reason: err instanceof Error ? err.message : "not a Stripe event" };
      }
      switch (event.type) {
        case "payment_intent.succeeded":
        case "payment_intent.payment_failed":
        case "payment_intent.processing": {
          const paymentId = event.data.object.metadata?.payment_id;
          if (!paymentId) return { ok: true, events: [] };
          let intent: Stripe.PaymentIntent;
          const readAt = Date.now();
          try {
            intent = await stripe.paymentIntents.retrieve(event.data.object.id);
          } catch (err) {
            throw unavailable("be asked about the payment", err);
          }
          const outcome = outcomeOf(intent);
          return {
            ok: true,
            events: [{ kind: "payment", id: event.id, paymentId, outcome, sequence: readAt, payload: body }],
          };
        }
        case "refund.created":
        case "refund.updated":
        case "refund.failed":
        case "charge.refund.updated":
          return { ok: true, events: settled(event.id, event.data.object, body) };
        case "charge.refunded": {
          const intent = event.data.object.payment_intent;
          const intentId = typeof intent === "string" ? intent : intent?.id;
          if (!intentId) return { ok: true, events: [] };
          let refunds: Stripe.Refund[];
          try {
            refunds = (await stripe.refunds.list({ payment_intent: intentId, limit: 100 })).data;
          } catch (err) {
            throw unavailable("be asked about the refunds", err);
          }
          return { ok: true, events: refunds.flatMap((r) => settled(`${event.id}:${r.id}`, r, body)) };
        }
        default:
          return { ok: true, events: [] };
      }
    },
  };
}
