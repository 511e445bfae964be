// The return window and when creator commissions become payable, from the checkout Worker's [vars]: delivery +
// RETURN_WINDOW_DAYS, or, never delivered, payment + COMMISSION_DELIVERY_ALLOWANCE_DAYS + the window, whichever
// comes first, so a payable commission never goes back to pending (a refund still reverses it).
// Design: docs/design/order-deadlines.md#the-modes
export interface ReturnWindowConfig {
  RETURN_WINDOW_DAYS?: string;
  COMMISSION_DELIVERY_ALLOWANCE_DAYS?: string;
}

function days(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

export const returnWindowDays = (env: ReturnWindowConfig) => days(env.RETURN_WINDOW_DAYS, 7);
export const deliveryAllowanceDays = (env: ReturnWindowConfig) => days(env.COMMISSION_DELIVERY_ALLOWANCE_DAYS, 14);

const iso = "'%Y-%m-%dT%H:%M:%fZ'";

/** SQL: when the return window of order `o` closes (NULL until it is delivered). */
export const returnWindowEndSql = (env: ReturnWindowConfig) =>
  `strftime(${iso}, o.delivered_at, '+${returnWindowDays(env)} days')`;

/** SQL: when the commissions of paid order `o` become payable (the numbers are ours, parsed above). */
export const payableAtSql = (env: ReturnWindowConfig) =>
  `strftime(${iso}, min(coalesce(o.delivered_at, '9999-12-31T00:00:00.000Z'),
     strftime(${iso}, o.paid_at, '+${deliveryAllowanceDays(env)} days')), '+${returnWindowDays(env)} days')`;
