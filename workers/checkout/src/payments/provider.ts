// Payment providers behind one interface: what checkout needs from one is a reference for a new payment and, for
// each webhook delivery, the verified event it carries. `sandbox` is built in and the local default; Stripe would
// be a second implementation (PaymentIntents; Stripe-Signature with a 300 s tolerance) — not written yet.
export type PaymentOutcome = "succeeded" | "failed" | "processing";

/** A provider's event, as checkout applies it: once per id, and never an older state over a newer one. */
export interface PaymentEvent {
  id: string;
  paymentId: string;
  outcome: PaymentOutcome;
  /** Increases with each event of one payment, so one arriving late changes nothing. */
  sequence: number;
  payload: string;
}

export type VerifyResult = { ok: true; event: PaymentEvent } | { ok: false; reason: string };

export interface PaymentProvider {
  readonly name: string;
  /** The provider's reference for a new payment (null when it needs none up front). */
  createPayment(payment: { id: string; amount: number; currency: string }): Promise<{ reference: string | null }>;
  verifyWebhook(body: string, headers: Headers, nowMs: number): Promise<VerifyResult>;
}
