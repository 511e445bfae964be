// The checkout Worker's settings, from its [vars] (wrangler.toml), each with its default when unset or malformed.
export interface CheckoutConfig {
  HOLD_TTL_SECONDS?: string;
  ORDER_PAYMENT_TIMEOUT_SECONDS?: string;
  SHIPPING_FEE_AMOUNT?: string;
  FREE_SHIPPING_OVER_AMOUNT?: string;
  SANDBOX_WEBHOOK_SECRET?: string;
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

/** Shipping: free when the subtotal reaches FREE_SHIPPING_OVER_AMOUNT, else SHIPPING_FEE_AMOUNT (minor units). */
export function shippingRule(env: CheckoutConfig): { fee: number; freeOver: number } {
  return {
    fee: positiveInt(env.SHIPPING_FEE_AMOUNT, 1000),
    freeOver: positiveInt(env.FREE_SHIPPING_OVER_AMOUNT, 9900),
  };
}
