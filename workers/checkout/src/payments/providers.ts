// The payment provider of a name, as this deployment configures it: Stripe only when its secrets are set.
import { ProblemError } from "#shared/errors.ts";
import { type PaymentProviderName, stripeSettings } from "../config.ts";
import type { PaymentProvider } from "./provider.ts";
import { sandboxProvider } from "./sandbox.ts";
import { stripeProvider } from "./stripe.ts";

export function paymentProvider(env: Env, name: PaymentProviderName): PaymentProvider {
  if (name === "sandbox") return sandboxProvider(env.SANDBOX_WEBHOOK_SECRET);
  const settings = stripeSettings(env);
  if (!settings) {
    throw new ProblemError(
      "payment_provider_disabled",
      "Stripe is not enabled here (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are not set); use another provider.",
      { errors: [{ path: "/paymentProvider", message: "stripe is disabled" }] },
    );
  }
  return stripeProvider(settings);
}
