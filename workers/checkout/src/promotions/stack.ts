// How discounts stack on one merchant's order, as pure arithmetic in integer minor units (no I/O: the node tests
// run every case by table): item prices, then the best spend-and-save rule, then one merchant coupon, then one
// platform coupon, each over the lines it covers, never below zero, and each step's saving split over its lines by
// largest remainder so every line knows exactly what was paid for it.
// Design: docs/design/promotions.md

export interface PromoLine {
  /** Cost of the line at its unit price (unit × quantity). */
  amount: number;
  productId: string;
  flashSale: boolean;
  /** Campaigns the line's product takes part in (for campaign rules and coupons). */
  campaignIds: readonly string[];
}

export interface SpendSaveTerms {
  id: string;
  name: string;
  kind: "every" | "tiered";
  tiers: readonly { threshold: number; off: number }[];
  campaignId: string | null;
}

export interface CouponTerms {
  id: string;
  name: string;
  /** null: the operator's (platform-funded, any merchant). */
  merchantId: string | null;
  campaignId: string | null;
  kind: "fixed" | "percent";
  amountOff: number | null;
  percentOff: number | null;
  maxOff: number | null;
  minSpend: number;
}

export type DiscountKind = "spend_and_save" | "merchant_coupon" | "platform_coupon";

export interface AppliedDiscount {
  kind: DiscountKind;
  sourceId: string;
  label: string;
  amount: number;
  fundedBy: "merchant" | "platform";
  /** By line index: this discount's share of each line (0 for lines it does not cover). */
  allocation: number[];
}

export type StackResult =
  | { ok: true; discounts: AppliedDiscount[]; lineDiscounts: number[]; total: number }
  | {
      ok: false;
      code: "stacking_not_allowed" | "min_spend_not_met" | "coupon_not_applicable";
      couponId: string;
      detail: string;
    };

/** What a spend-and-save rule takes off `base`: every full threshold (kind every), or the highest tier reached. */
export function spendSaveOff(rule: Pick<SpendSaveTerms, "kind" | "tiers">, base: number): number {
  if (rule.kind === "every") {
    const tier = rule.tiers[0];
    return tier && tier.threshold > 0 ? Math.min(Math.floor(base / tier.threshold) * tier.off, base) : 0;
  }
  let off = 0;
  for (const tier of rule.tiers) if (base >= tier.threshold) off = Math.max(off, tier.off);
  return Math.min(off, base);
}

/** What a coupon takes off `base` (its minimum spend already met): fixed, or a percentage rounded up and capped. */
export function couponOff(coupon: CouponTerms, base: number): number {
  const off =
    coupon.kind === "fixed"
      ? (coupon.amountOff ?? 0)
      : Math.min(Math.ceil((base * (coupon.percentOff ?? 0)) / 100), coupon.maxOff ?? Number.MAX_SAFE_INTEGER);
  return Math.min(off, base);
}

/** `total` split in proportion to `weights` by largest remainder (ties to the lower index); sums to `total`. */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return weights.map(() => 0);
  const shares = weights.map((w) => Math.floor((total * w) / sum));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, remainder: (total * w) % sum }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left--;
  }
  return shares;
}

function covers(line: PromoLine, campaignId: string | null): boolean {
  return !line.flashSale && (campaignId === null || line.campaignIds.includes(campaignId));
}

/** The discounts of a one-merchant order: the rules above, or why a coupon cannot be used (nothing applied). */
export function stackDiscounts(input: {
  merchantId: string;
  lines: readonly PromoLine[];
  spendSave: readonly SpendSaveTerms[];
  coupons: readonly CouponTerms[];
}): StackResult {
  const { lines } = input;
  const left = lines.map((line) => line.amount);
  const discounts: AppliedDiscount[] = [];
  const apply = (d: Omit<AppliedDiscount, "allocation">, campaignId: string | null) => {
    const weights = lines.map((line, i) => (covers(line, campaignId) ? (left[i] ?? 0) : 0));
    const allocation = allocate(d.amount, weights);
    allocation.forEach((share, i) => {
      left[i] = (left[i] ?? 0) - share;
    });
    discounts.push({ ...d, allocation });
  };
  const baseOf = (campaignId: string | null) =>
    lines.reduce((sum, line, i) => sum + (covers(line, campaignId) ? (left[i] ?? 0) : 0), 0);

  let best: { rule: SpendSaveTerms; off: number } | null = null;
  for (const rule of [...input.spendSave].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const off = spendSaveOff(rule, baseOf(rule.campaignId));
    if (off > 0 && (best === null || off > best.off)) best = { rule, off };
  }
  if (best) {
    apply(
      { kind: "spend_and_save", sourceId: best.rule.id, label: best.rule.name, amount: best.off, fundedBy: "merchant" },
      best.rule.campaignId,
    );
  }

  const merchantCoupons = input.coupons.filter((c) => c.merchantId !== null);
  const platformCoupons = input.coupons.filter((c) => c.merchantId === null);
  for (const group of [merchantCoupons, platformCoupons]) {
    const second = group[1];
    if (second) {
      return {
        ok: false,
        code: "stacking_not_allowed",
        couponId: second.id,
        detail: `One ${second.merchantId === null ? "platform" : "merchant"} coupon per order: ${group[0]?.id} and ${second.id} do not combine.`,
      };
    }
  }
  for (const coupon of [...merchantCoupons, ...platformCoupons]) {
    if (coupon.merchantId !== null && coupon.merchantId !== input.merchantId) {
      return {
        ok: false,
        code: "coupon_not_applicable",
        couponId: coupon.id,
        detail: `Coupon ${coupon.id} is another merchant's.`,
      };
    }
    const base = baseOf(coupon.campaignId);
    if (base === 0) {
      return {
        ok: false,
        code: "coupon_not_applicable",
        couponId: coupon.id,
        detail: `Coupon ${coupon.id} covers none of these items${coupon.campaignId ? ` (only campaign ${coupon.campaignId}'s, never flash-sale ones)` : " (flash-sale items take no coupon)"}.`,
      };
    }
    if (base < coupon.minSpend) {
      return {
        ok: false,
        code: "min_spend_not_met",
        couponId: coupon.id,
        detail: `Coupon ${coupon.id} needs a spend of ${coupon.minSpend} on the items it covers; they come to ${base}.`,
      };
    }
    const platform = coupon.merchantId === null;
    apply(
      {
        kind: platform ? "platform_coupon" : "merchant_coupon",
        sourceId: coupon.id,
        label: coupon.name,
        amount: couponOff(coupon, base),
        fundedBy: platform ? "platform" : "merchant",
      },
      coupon.campaignId,
    );
  }
  const kept = discounts.filter((d) => d.amount > 0);
  const lineDiscounts = lines.map((line, i) => line.amount - (left[i] ?? 0));
  return { ok: true, discounts: kept, lineDiscounts, total: lineDiscounts.reduce((a, b) => a + b, 0) };
}
