// Payment providers behind one interface: what checkout needs from one is a payment opened before the order is
// written, a refund, and for each webhook delivery the verified event it carries. `sandbox` is built in and the
// local default; `stripe` uses PaymentIntents and Refunds.
import type { PaymentProviderName } from "../config.ts";

export type PaymentOutcome = "succeeded" | "failed" | "processing";
export type RefundOutcome = "pending" | "succeeded" | "failed";

/** A provider's payment event, as checkout applies it: once per id, and never an older state over a newer one. */
export interface PaymentEvent {
  kind: "payment";
  id: string;
  paymentId: string;
  outcome: PaymentOutcome;
  /** Increases with each event of one payment, so one arriving late changes nothing. */
  sequence: number;
  payload: string;
}

/** A provider's word that a refund part settled: applied once per id, and only to a part still pending. */
export interface RefundEvent {
  kind: "refund";
  id: string;
  refundId: string;
  /** The payment of the part (null from refunds made before parts: their refund's only part). */
  paymentId: string | null;
  /** The provider's id of its refund (the part's). */
  reference: string | null;
  outcome: Exclude<RefundOutcome, "pending">;
  payload: string;
}

/**
 * What one authentic delivery says; none when checkout need not act (another type, or a payment not made here).
 * `unsigned` marks a delivery not shown to come from the provider (401), apart from a signed one checkout cannot read.
 */
export type VerifyResult =
  | { ok: true; events: (PaymentEvent | RefundEvent)[] }
  | { ok: false; reason: string; unsigned?: true };

export interface NewPayment {
  id: string;
  orderId: string;
  cartId: string;
  amount: number;
  currency: string;
}

/** One part of a refund: the money it takes back from one payment. */
export interface NewRefund {
  /** The provider's idempotency key for this part. */
  id: string;
  refundId: string;
  paymentId: string;
  orderId: string;
  /** The provider's reference for the payment refunded. */
  paymentReference: string | null;
  amount: number;
  currency: string;
  reason: string | null;
}

/** A provider's answer about one refund part: its refund id there, and how it stands. */
export interface RefundAnswer {
  reference: string | null;
  outcome: RefundOutcome;
  failureReason: string | null;
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** The header its webhooks are signed in. */
  readonly signatureHeader: string;
  /**
   * Opens the payment with the provider, idempotently by our payment id. `reference` is the provider's id for it,
   * `clientSecret` what the storefront confirms it with (each null when the provider needs none). Throws when the
   * provider cannot be reached or refuses.
   */
  createPayment(payment: NewPayment): Promise<{ reference: string | null; clientSecret: string | null }>;
  /** Lets go of a payment opened for an order that was then never written (sold out meanwhile). Never throws. */
  cancelPayment(reference: string | null): Promise<void>;
  /** Refunds money of a succeeded payment, idempotently by the part's key (`id`). Throws when the provider cannot. */
  refund(refund: NewRefund): Promise<RefundAnswer>;
  /**
   * How a refund it made (`reference`) stands now, for the refund recovery (refunds/refund-recovery.ts). Absent when the
   * provider never leaves a refund pending with a reference (the sandbox). Throws when the provider cannot answer.
   */
  refundStatus?(reference: string): Promise<RefundAnswer>;
  verifyWebhook(body: string, headers: Headers, nowMs: number): Promise<VerifyResult>;
}
