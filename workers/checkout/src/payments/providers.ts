// The payment provider of a name in one mode, as this deployment configures it. The sandbox exists only in test mode
// and only with its signing secret (SANDBOX_WEBHOOK_SECRET); Stripe in each mode only with that mode's secrets.
import { ProblemError } from "#shared/errors.ts";
import type { Mode } from "#shared/principal.ts";
import { type PaymentProviderName, sandboxSecret, stripeSettings } from "../config.ts";
import type { PaymentProvider } from "./provider.ts";
import { sandboxProvider } from "./sandbox.ts";
import { stripeProvider } from "./stripe.ts";

/** The mode of a row's `livemode` (a payment's, an order's). */
export const modeOfRow = (row: { livemode: boolean }): Mode => (row.livemode ? "live" : "test");

const field = (message: string) => ({ errors: [{ path: "/paymentProvider", message }] });

export function paymentProvider(env: Env, name: PaymentProviderName, mode: Mode): PaymentProvider {
  if (name === "sandbox") {
    if (mode === "live") {
      throw new ProblemError(
        "sandbox_in_live_mode",
        "The sandbox provider exists only in test mode: a live-mode checkout is paid with a real provider (stripe).",
        field("sandbox is test mode only"),
      );
    }
    const secret = sandboxSecret(env);
    if (!secret) {
      throw new ProblemError(
        "payment_provider_disabled",
        "The sandbox provider is off here (SANDBOX_WEBHOOK_SECRET is not set).",
        field("sandbox is disabled"),
      );
    }
    return sandboxProvider(secret);
  }
  const settings = stripeSettings(env, mode);
  if (!settings) {
    throw new ProblemError(
      "payment_provider_disabled",
      mode === "live"
        ? "No live payment provider is configured here: Stripe's live mode needs STRIPE_LIVE_SECRET_KEY (a live key) and STRIPE_LIVE_WEBHOOK_SECRET."
        : "Stripe is not enabled here in test mode (STRIPE_SECRET_KEY, a test key, and STRIPE_WEBHOOK_SECRET are not set); use another provider.",
      field("stripe is disabled"),
    );
  }
  return stripeProvider(settings);
}
