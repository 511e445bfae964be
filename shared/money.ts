// Money is an integer amount of minor units with an ISO 4217 currency; never a float (shared/API.md).
export const currencies = ["CNY", "HKD", "USD", "EUR", "JPY", "KRW", "SGD"] as const;
export type Currency = (typeof currencies)[number];

export interface Money {
  amount: number;
  currency: Currency;
}

export function isCurrency(value: string): value is Currency {
  return (currencies as readonly string[]).includes(value);
}

export function money(amount: number, currency: Currency): Money {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`amount must be an integer number of minor units, got ${amount}`);
  return { amount, currency };
}
