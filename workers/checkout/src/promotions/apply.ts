// The promotions a cart gets: the spend-and-save rules in force for its merchant and its lines' campaigns, and the
// coupons it applied, checked (exists, in period, in the cart's currency, claimed and not yet used by the shopper)
// and stacked (stack.ts). Reading a cart leaves out a coupon that no longer applies and says why; checkout refuses
// it with its problem code, before anything is written or charged.
import { and, eq, gt, inArray, isNull, lte, or } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { type FieldError, type ProblemCode, ProblemError } from "#shared/errors.ts";
import { couponClaims, coupons, spendSaveRules } from "#shared/schema.ts";
import { type AppliedDiscount, type PromoLine, stackDiscounts } from "./stack.ts";

export interface CartPromotions {
  discounts: AppliedDiscount[];
  lineDiscounts: number[];
  total: number;
  /** Coupons applied to the cart that do not apply now, with the code checkout would refuse them with. */
  refused: { couponId: string; code: ProblemCode; detail: string }[];
}

export const noPromotions = (lines: number): CartPromotions => ({
  discounts: [],
  lineDiscounts: Array.from({ length: lines }, () => 0),
  total: 0,
  refused: [],
});

type Refusal = CartPromotions["refused"][number];

export async function promotionsFor(input: {
  db: Database;
  merchantId: string;
  currency: string;
  ownerId: string;
  couponIds: readonly string[];
  lines: readonly PromoLine[];
  at: string;
  /** Checkout: a coupon that does not apply is a problem (409 with its code); reading a cart leaves it out. */
  strict: boolean;
}): Promise<CartPromotions> {
  const { db, at } = input;
  if (input.lines.length === 0) return noPromotions(0);
  const campaignIds = [...new Set(input.lines.flatMap((line) => line.campaignIds))];
  const ids = [...new Set(input.couponIds)];
  const [rules, couponRows, unused] = await db.batch([
    db
      .select()
      .from(spendSaveRules)
      .where(
        and(
          or(
            eq(spendSaveRules.merchantId, input.merchantId),
            campaignIds.length > 0 ? inArray(spendSaveRules.campaignId, campaignIds) : undefined,
          ),
          eq(spendSaveRules.currency, input.currency),
          lte(spendSaveRules.startsAt, at),
          gt(spendSaveRules.endsAt, at),
        ),
      ),
    db
      .select()
      .from(coupons)
      .where(inArray(coupons.id, ids.length > 0 ? ids : [""])),
    db
      .select({ couponId: couponClaims.couponId })
      .from(couponClaims)
      .where(
        and(
          inArray(couponClaims.couponId, ids.length > 0 ? ids : [""]),
          eq(couponClaims.ownerId, input.ownerId),
          isNull(couponClaims.orderId),
        ),
      ),
  ]);
  const refused: Refusal[] = [];
  const usable = ids.flatMap((id) => {
    const row = couponRows.find((c) => c.id === id);
    const refusal = ((): Omit<Refusal, "couponId"> | null => {
      if (!row) return { code: "not_found", detail: `Coupon ${id} does not exist.` };
      if (row.merchantId !== null && row.merchantId !== input.merchantId)
        return { code: "coupon_not_applicable", detail: `Coupon ${id} is another merchant's.` };
      if (row.currency !== input.currency)
        return { code: "coupon_not_applicable", detail: `Coupon ${id} is in ${row.currency}.` };
      if (at >= row.endsAt) return { code: "coupon_expired", detail: `Coupon ${id} ended at ${row.endsAt}.` };
      if (at < row.startsAt)
        return { code: "coupon_not_applicable", detail: `Coupon ${id} is valid from ${row.startsAt}.` };
      if (!unused.some((u) => u.couponId === id))
        return { code: "coupon_not_claimed", detail: `You hold no unused claim of coupon ${id}: claim it first.` };
      return null;
    })();
    if (refusal || !row) {
      refused.push({ couponId: id, ...(refusal ?? { code: "not_found", detail: "" }) });
      return [];
    }
    return [row];
  });
  const fail = (r: Refusal): never => {
    const errors: FieldError[] = [{ path: `/couponIds/${input.couponIds.indexOf(r.couponId)}`, message: r.detail }];
    throw new ProblemError(r.code, `${r.detail} Nothing was charged.`, { errors });
  };
  const first = refused[0];
  if (input.strict && first) fail(first);
  let applied = usable;
  for (;;) {
    const result = stackDiscounts({
      merchantId: input.merchantId,
      lines: input.lines,
      spendSave: rules,
      coupons: applied,
    });
    if (result.ok)
      return { discounts: result.discounts, lineDiscounts: result.lineDiscounts, total: result.total, refused };
    const refusal = { couponId: result.couponId, code: result.code, detail: result.detail };
    if (input.strict) fail(refusal);
    refused.push(refusal);
    applied = applied.filter((c) => c.id !== result.couponId);
  }
}
