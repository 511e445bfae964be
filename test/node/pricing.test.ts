// The pure arithmetic of prices and promotions, case by case, every amount computed by hand (fen).
import { describe, expect, it } from "vitest";
import { campaignPeriod, unitPrice } from "#shared/pricing.ts";
import {
  allocate,
  type CouponTerms,
  couponOff,
  type PromoLine,
  type SpendSaveTerms,
  spendSaveOff,
  stackDiscounts,
} from "../../workers/checkout/src/promotions/stack.ts";

const campaign = (priceAmount: number, campaignId = "cmp_A") => ({
  campaignId,
  priceAmount,
  mainStartsAt: "2026-11-11T00:00:00.000Z",
  endsAt: "2026-11-12T00:00:00.000Z",
});
const mainDay = "2026-11-11T10:00:00.000Z";

describe("unitPrice: one price everywhere", () => {
  it.each([
    ["list price, nothing else", { listAmount: 10_000, at: mainDay }, 10_000, "list"],
    [
      "campaign price on the main day",
      { listAmount: 10_000, campaignPrices: [campaign(8_000)], at: mainDay },
      8_000,
      "campaign",
    ],
    [
      "campaign price not yet (warm-up)",
      { listAmount: 10_000, campaignPrices: [campaign(8_000)], at: "2026-11-10T23:59:59.999Z" },
      10_000,
      "list",
    ],
    [
      "campaign over at endsAt",
      { listAmount: 10_000, campaignPrices: [campaign(8_000)], at: "2026-11-12T00:00:00.000Z" },
      10_000,
      "list",
    ],
    [
      "a campaign price above the list price is ignored",
      { listAmount: 9_000, campaignPrices: [campaign(9_999)], at: mainDay },
      9_000,
      "list",
    ],
    [
      "the lowest of two campaigns",
      { listAmount: 10_000, campaignPrices: [campaign(8_000), campaign(7_500, "cmp_B")], at: mainDay },
      7_500,
      "campaign",
    ],
    [
      "a held flash-sale unit: the sale price",
      { listAmount: 10_000, campaignPrices: [campaign(8_000)], flashSaleAmount: 4_900, at: mainDay },
      4_900,
      "flash_sale",
    ],
    [
      "a flash-sale price is never above the list",
      { listAmount: 4_000, flashSaleAmount: 4_900, at: mainDay },
      4_000,
      "flash_sale",
    ],
  ] as const)("%s", (_, input, amount, source) => {
    expect(unitPrice(input)).toEqual({ amount, source });
  });

  it.each([
    ["2026-10-31T23:59:59.999Z", "upcoming"],
    ["2026-11-01T00:00:00.000Z", "warmup"],
    ["2026-11-05T00:00:00.000Z", "presale"],
    ["2026-11-11T00:00:00.000Z", "main"],
    ["2026-11-12T00:00:00.000Z", "ended"],
  ] as const)("campaignPeriod at %s is %s", (at, period) => {
    const periods = {
      warmupStartsAt: "2026-11-01T00:00:00.000Z",
      presaleStartsAt: "2026-11-05T00:00:00.000Z",
      mainStartsAt: "2026-11-11T00:00:00.000Z",
      endsAt: "2026-11-12T00:00:00.000Z",
    };
    expect(campaignPeriod(periods, at)).toBe(period);
  });
});

const every300off50: SpendSaveTerms = {
  id: "sav_1",
  name: "每满300减50",
  kind: "every",
  tiers: [{ threshold: 30_000, off: 5_000 }],
  campaignId: null,
};
const tiered: SpendSaveTerms = {
  id: "sav_2",
  name: "满200减20, 满500减60",
  kind: "tiered",
  tiers: [
    { threshold: 20_000, off: 2_000 },
    { threshold: 50_000, off: 6_000 },
  ],
  campaignId: "cmp_A",
};

describe("spend-and-save", () => {
  it.each([
    [every300off50, 29_999, 0],
    [every300off50, 30_000, 5_000],
    [every300off50, 65_000, 10_000],
    [tiered, 19_999, 0],
    [tiered, 20_000, 2_000],
    [tiered, 49_999, 2_000],
    [tiered, 50_000, 6_000],
    [tiered, 90_000, 6_000],
  ])("%o on %i takes %i off", (rule, base, off) => {
    expect(spendSaveOff(rule, base)).toBe(off);
  });
});

const coupon = (terms: Partial<CouponTerms>): CouponTerms => ({
  id: "cpn_M",
  name: "coupon",
  merchantId: "mer_1",
  campaignId: null,
  kind: "fixed",
  amountOff: 1_000,
  percentOff: null,
  maxOff: null,
  minSpend: 0,
  ...terms,
});

describe("coupon amounts", () => {
  it.each([
    ["fixed 10 on 99", coupon({}), 9_900, 1_000],
    ["fixed 10 on 8: never below zero", coupon({}), 800, 800],
    [
      "15% of 99.99 rounds up (1499.85 → 1500)",
      coupon({ kind: "percent", percentOff: 15, amountOff: null }),
      9_999,
      1_500,
    ],
    ["33% of 1.01 rounds up (33.33 → 34)", coupon({ kind: "percent", percentOff: 33, amountOff: null }), 101, 34],
    [
      "15% of 200 capped at 20",
      coupon({ kind: "percent", percentOff: 15, amountOff: null, maxOff: 2_000 }),
      20_000,
      2_000,
    ],
    ["99% of 0.01 is 0.01 (0.99 → 1)", coupon({ kind: "percent", percentOff: 99, amountOff: null }), 1, 1],
  ])("%s", (_, terms, base, off) => {
    expect(couponOff(terms, base)).toBe(off);
  });
});

describe("allocate: largest remainder, ties to the earlier line", () => {
  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [10, [3_000, 1_500], [7, 3]],
    [5_000, [30_000, 20_000, 10_000], [2_500, 1_667, 833]],
    [1, [5, 5], [1, 0]],
    [7, [0, 10, 0], [0, 7, 0]],
    [0, [3, 4], [0, 0]],
  ])("%i over %o is %o", (total, weights, shares) => {
    expect(allocate(total, weights)).toEqual(shares);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

const line = (amount: number, extra: Partial<PromoLine> = {}): PromoLine => ({
  amount,
  productId: "prod_x",
  flashSale: false,
  campaignIds: [],
  ...extra,
});

describe("stackDiscounts: the order, the split, the refusals", () => {
  it("item price → spend-and-save → merchant coupon → platform coupon, flash-sale lines untouched", () => {
    // Lines 300 (campaign), 200, 100 (flash sale). Spend-and-save over 500 (flash excluded): one 300 → 50 off,
    // split 30:20 → 30 and 20. Left 270, 180. Merchant 10% (min 400; 450 qualifies): 45 → 27 and 18. Left 243,
    // 162. Platform 10 off over 405: 6 and 4. Lines' discounts 63, 42, 0: 105 in all.
    const result = stackDiscounts({
      merchantId: "mer_1",
      lines: [line(30_000, { campaignIds: ["cmp_A"] }), line(20_000), line(10_000, { flashSale: true })],
      spendSave: [every300off50],
      coupons: [
        coupon({ id: "cpn_P", merchantId: null, amountOff: 1_000 }),
        coupon({ kind: "percent", percentOff: 10, amountOff: null, minSpend: 40_000 }),
      ],
    });
    expect(result).toEqual({
      ok: true,
      discounts: [
        {
          kind: "spend_and_save",
          sourceId: "sav_1",
          label: "每满300减50",
          amount: 5_000,
          fundedBy: "merchant",
          allocation: [3_000, 2_000, 0],
        },
        {
          kind: "merchant_coupon",
          sourceId: "cpn_M",
          label: "coupon",
          amount: 4_500,
          fundedBy: "merchant",
          allocation: [2_700, 1_800, 0],
        },
        {
          kind: "platform_coupon",
          sourceId: "cpn_P",
          label: "coupon",
          amount: 1_000,
          fundedBy: "platform",
          allocation: [600, 400, 0],
        },
      ],
      lineDiscounts: [6_300, 4_200, 0],
      total: 10_500,
    });
  });

  it.each([
    // Merchant rule over 600: two 300s → 100. Campaign rule over the campaign line's 400: 20. The larger wins.
    [
      "the larger spend-and-save wins (merchant)",
      [line(40_000, { campaignIds: ["cmp_A"] }), line(20_000)],
      "sav_1",
      10_000,
    ],
    // A campaign line of 550: the campaign's over 500 → 60; the merchant's one 300 → 50. The campaign's wins.
    ["the larger spend-and-save wins (campaign)", [line(55_000, { campaignIds: ["cmp_A"] })], "sav_2", 6_000],
  ])("%s", (_, lines, sourceId, amount) => {
    const result = stackDiscounts({ merchantId: "mer_1", lines, spendSave: [tiered, every300off50], coupons: [] });
    expect(result).toMatchObject({ ok: true, discounts: [{ sourceId, amount }] });
  });

  it("a campaign rule covers the campaign's lines only", () => {
    // Campaign line 250 → over 200 off 20, all of it on that line; the other line untouched.
    const result = stackDiscounts({
      merchantId: "mer_1",
      lines: [line(25_000, { campaignIds: ["cmp_A"] }), line(25_000)],
      spendSave: [tiered],
      coupons: [],
    });
    expect(result).toMatchObject({ ok: true, lineDiscounts: [2_000, 0], total: 2_000 });
  });

  it("never below zero: a coupon bigger than what is left takes only what is left", () => {
    const result = stackDiscounts({
      merchantId: "mer_1",
      lines: [line(500), line(300)],
      spendSave: [],
      coupons: [coupon({ amountOff: 5_000 })],
    });
    expect(result).toMatchObject({ ok: true, lineDiscounts: [500, 300], total: 800 });
  });

  it.each([
    [
      "two merchant coupons",
      [coupon({}), coupon({ id: "cpn_M2" })],
      { code: "stacking_not_allowed", couponId: "cpn_M2" },
    ],
    [
      "two platform coupons",
      [coupon({ id: "cpn_P1", merchantId: null }), coupon({ id: "cpn_P2", merchantId: null })],
      { code: "stacking_not_allowed", couponId: "cpn_P2" },
    ],
    [
      "another merchant's coupon",
      [coupon({ merchantId: "mer_2" })],
      { code: "coupon_not_applicable", couponId: "cpn_M" },
    ],
    // 300 after spend-and-save is 250: a minimum of 300 is not met.
    [
      "minimum spend after spend-and-save",
      [coupon({ minSpend: 30_000 })],
      { code: "min_spend_not_met", couponId: "cpn_M" },
    ],
    [
      "a campaign coupon without campaign lines",
      [coupon({ campaignId: "cmp_Z" })],
      { code: "coupon_not_applicable", couponId: "cpn_M" },
    ],
  ])("%s is refused", (_, coupons, refusal) => {
    const result = stackDiscounts({ merchantId: "mer_1", lines: [line(30_000)], spendSave: [every300off50], coupons });
    expect(result).toMatchObject({ ok: false, ...refusal });
  });

  it("flash-sale lines take no coupon", () => {
    const result = stackDiscounts({
      merchantId: "mer_1",
      lines: [line(4_900, { flashSale: true })],
      spendSave: [],
      coupons: [coupon({})],
    });
    expect(result).toMatchObject({ ok: false, code: "coupon_not_applicable" });
  });
});
