// The bodies of POST /v1/flash-sales, POST /v1/presales and POST /v1/campaigns, shared by the checkout Worker's tests
// and the gateway's (the live Worker's write a campaign's row from the same terms): sensible terms running now, so
// that a test names only the terms it is about.
export const hour = 3_600_000;
/** The instant `ms` from now. */
export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/** 100 units at 49.00, running from a minute ago for an hour, at most 2 a shopper. */
export const flashSaleTerms = (skuId: string, extra: Record<string, unknown> = {}) => ({
  skuId,
  quantity: 100,
  price: { amount: 4900, currency: "CNY" },
  startsAt: inMs(-60_000),
  endsAt: inMs(hour),
  perShopperLimit: 2,
  ...extra,
});

/** 10 units at 200.00, a deposit of 100.00 deducting 150.00: deposits open now for an hour, the balance 2 to 3 hours on. */
export const presaleTerms = (skuId: string, extra: Record<string, unknown> = {}) => ({
  skuId,
  quantity: 10,
  price: { amount: 20_000, currency: "CNY" },
  deposit: { amount: 10_000, currency: "CNY" },
  deduction: { amount: 15_000, currency: "CNY" },
  depositStartsAt: inMs(-60_000),
  depositEndsAt: inMs(hour),
  balanceStartsAt: inMs(2 * hour),
  balanceEndsAt: inMs(3 * hour),
  ...extra,
});

/** 双11 with its main day starting in `mainInMs`, its warm-up two hours before that, ending a day after it starts. */
export const campaignTerms = (mainInMs: number, extra: Record<string, unknown> = {}) => ({
  name: "双11",
  badge: "双11",
  warmupStartsAt: inMs(mainInMs - 2 * hour),
  mainStartsAt: inMs(mainInMs),
  endsAt: inMs(mainInMs + 24 * hour),
  ...extra,
});
