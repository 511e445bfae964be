// The checkout Worker's settings, from its [vars] (wrangler.toml), each with its default when unset or malformed.
import type { Mode } from "#shared/principal.ts";

export interface CheckoutConfig {
  HOLD_TTL_SECONDS?: string;
  ORDER_PAYMENT_TIMEOUT_SECONDS?: string;
  REFUND_RECOVERY_DELAY_SECONDS?: string;
  SHIPPING_FEE_AMOUNT?: string;
  FREE_SHIPPING_OVER_AMOUNT?: string;
  SANDBOX_WEBHOOK_SECRET?: string;
  PAYMENT_PROVIDER?: string;
  STRIPE_API_BASE?: string;
  // Secrets, optional: not in [secrets].required, so that a deployment without Stripe still deploys. The first pair
  // serves test mode (never a live Stripe key), the STRIPE_LIVE_ pair live mode (never a test Stripe key).
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_LIVE_SECRET_KEY?: string;
  STRIPE_LIVE_WEBHOOK_SECRET?: string;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

/** How long a flash-sale hold lasts before its units go back (default 10 minutes). */
export const holdTtlSeconds = (env: CheckoutConfig) => Math.max(1, positiveInt(env.HOLD_TTL_SECONDS, 600));

/** How long an order may stay unpaid before it is cancelled and its stock released (default 30 minutes). */
export const paymentTimeoutSeconds = (env: CheckoutConfig) =>
  Math.max(1, positiveInt(env.ORDER_PAYMENT_TIMEOUT_SECONDS, 1800));

/**
 * How long after its reservation a refund's recovery alarm first looks at it (default 60 s, at most 300 s, so that
 * its last attempt, 255 × this later, stays within Stripe's 24 h idempotency-key lifetime).
 */
export const refundRecoveryDelaySeconds = (env: CheckoutConfig) =>
  Math.min(300, Math.max(1, positiveInt(env.REFUND_RECOVERY_DELAY_SECONDS, 60)));

/** Shipping: free when the subtotal reaches FREE_SHIPPING_OVER_AMOUNT, else SHIPPING_FEE_AMOUNT (minor units). */
export function shippingRule(env: CheckoutConfig): { fee: number; freeOver: number } {
  return {
    fee: positiveInt(env.SHIPPING_FEE_AMOUNT, 1000),
    freeOver: positiveInt(env.FREE_SHIPPING_OVER_AMOUNT, 9900),
  };
}

export const paymentProviders = ["sandbox", "stripe"] as const;
export type PaymentProviderName = (typeof paymentProviders)[number];

/** The provider a checkout uses unless it names one: in test mode PAYMENT_PROVIDER (default sandbox), in live Stripe. */
export const defaultPaymentProvider = (env: CheckoutConfig, mode: Mode): PaymentProviderName =>
  mode === "live" || env.PAYMENT_PROVIDER === "stripe" ? "stripe" : "sandbox";

/** The sandbox's webhook signing secret; null when unset, and then the sandbox is off (no default is shipped). */
export const sandboxSecret = (env: CheckoutConfig): string | null => env.SANDBOX_WEBHOOK_SECRET || null;

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Another API host than api.stripe.com (STRIPE_API_BASE), as the SDK's host, port and protocol options. */
  api: { host: string; port: number; protocol: "http" | "https" } | null;
}

/** A Stripe key's own mode, from its prefix (`sk_live_…`, `rk_live_…`: live). */
const stripeKeyMode = (key: string): Mode => (/^(sk|rk)_live_/.test(key) ? "live" : "test");

/**
 * Stripe's settings for one mode, or null when it is disabled there: test mode uses STRIPE_SECRET_KEY and
 * STRIPE_WEBHOOK_SECRET, live mode STRIPE_LIVE_SECRET_KEY and STRIPE_LIVE_WEBHOOK_SECRET; either secret unset, or a
 * key of the other mode (a live Stripe key in the test pair), disables it.
 */
export function stripeSettings(env: CheckoutConfig, mode: Mode = "test"): StripeSettings | null {
  const [secretKey, webhookSecret] =
    mode === "live"
      ? [env.STRIPE_LIVE_SECRET_KEY, env.STRIPE_LIVE_WEBHOOK_SECRET]
      : [env.STRIPE_SECRET_KEY, env.STRIPE_WEBHOOK_SECRET];
  if (!secretKey || !webhookSecret || stripeKeyMode(secretKey) !== mode) return null;
  return { secretKey, webhookSecret, api: apiBase(env.STRIPE_API_BASE) };
}

function apiBase(value: string | undefined): StripeSettings["api"] {
  if (!value || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443, protocol };
}
