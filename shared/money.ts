// Money is an integer amount of minor units with an ISO 4217 currency; never a float. Its API shape is MoneySchema
// in shared/openapi/schemas.ts (docs/api/conventions.md#money).
export const currencies = ["CNY", "HKD", "USD", "EUR", "JPY", "KRW", "SGD"] as const;
export type Currency = (typeof currencies)[number];

export interface Money {
  amount: number;
  currency: Currency;
}

/**
 * Money read back from a row or an aggregate. Every write checks its currency against `currencies`, so a stored
 * currency is typed here, once, rather than cast at each read.
 */
export function money(amount: unknown, currency: unknown): Money {
  return { amount: Number(amount), currency: String(currency) as Currency };
}

/** The amounts of one row, all in that row's currency. */
export function moneyIn(currency: unknown): (amount: unknown) => Money {
  return (amount) => money(amount, currency);
}
