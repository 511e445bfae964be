// Money is an integer amount of minor units with an ISO 4217 currency; never a float. Its API shape is MoneySchema
// in shared/openapi/schemas.ts (docs/api/conventions.md#money).
export const currencies = ["CNY", "HKD", "USD", "EUR", "JPY", "KRW", "SGD"] as const;
export type Currency = (typeof currencies)[number];
