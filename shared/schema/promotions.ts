// Promotions (the checkout Worker writes these; prices read campaigns): campaigns, spend-and-save, coupons and
// their claims, the discounts an order got, and pre-sales with deposit (定金预售).
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { products, skus } from "./catalog.ts";
import { requiredRef, saleTerms, timestamp, timestamps, version } from "./columns.ts";
import { merchants } from "./identity-and-keys.ts";
import { orders } from "./orders.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";

// An operator's festival (618, Double 11): a warm-up, an optional pre-sale, then the main day(s) until it ends.
// Its badge shows on participating products from the warm-up; campaign prices apply on the main day(s).
export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    badge: text("badge").notNull(),
    warmupStartsAt: text("warmup_starts_at").notNull(),
    presaleStartsAt: text("presale_starts_at"),
    mainStartsAt: text("main_starts_at").notNull(),
    endsAt: text("ends_at").notNull(),
    ...version(),
    ...timestamps(),
  },
  (t) => [
    index("campaigns_ends").on(t.endsAt),
    check(
      "campaigns_periods",
      sql`${t.warmupStartsAt} <= coalesce(${t.presaleStartsAt}, ${t.mainStartsAt}) AND coalesce(${t.presaleStartsAt}, ${t.mainStartsAt}) <= ${t.mainStartsAt} AND ${t.mainStartsAt} < ${t.endsAt}`,
    ),
  ],
);

// A merchant's product in a campaign (the merchant joins with its own products).
export const campaignProducts = sqliteTable(
  "campaign_products",
  {
    campaignId: requiredRef("campaign_id", () => campaigns.id),
    productId: requiredRef("product_id", () => products.id),
    merchantId: requiredRef("merchant_id", () => merchants.id),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.productId] }),
    index("campaign_products_product").on(t.productId),
    index("campaign_products_merchant").on(t.merchantId, t.campaignId),
  ],
);

// The optional campaign price of a participating SKU (main day only; never above the list price when shown).
export const campaignPrices = sqliteTable(
  "campaign_prices",
  {
    campaignId: requiredRef("campaign_id", () => campaigns.id),
    skuId: requiredRef("sku_id", () => skus.id),
    productId: requiredRef("product_id", () => products.id),
    priceAmount: integer("price_amount").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.skuId] }),
    index("campaign_prices_sku").on(t.skuId),
    check("campaign_prices_nonnegative", sql`${t.priceAmount} >= 0`),
  ],
);

// A discount (spend-and-save rule or coupon): who offers it (a merchant or a campaign; a coupon of neither is the
// operator's) under a name shoppers see, and its terms: one currency, valid from `starts_at` until `ends_at`.
const discountSource = () => ({
  merchantId: text("merchant_id").references(() => merchants.id),
  campaignId: text("campaign_id").references(() => campaigns.id),
  name: text("name").notNull(),
});
const discountTerms = () => ({
  currency: text("currency").notNull(),
  startsAt: text("starts_at").notNull(),
  endsAt: text("ends_at").notNull(),
});

// Spend-and-save (满减): "every 300 off 50" (kind every, one tier) or tiered "over 200 off 20, over 500 off 60";
// a merchant's (all its products) or a campaign's (its participating products), valid in a period.
export const spendSaveRules = sqliteTable(
  "spend_save_rules",
  {
    id: text("id").primaryKey(),
    ...discountSource(),
    kind: text("kind", { enum: ["every", "tiered"] }).notNull(),
    // JSON [{ "threshold": 30000, "off": 5000 }, …] in minor units, thresholds increasing.
    tiers: text("tiers", { mode: "json" }).$type<{ threshold: number; off: number }[]>().notNull(),
    ...discountTerms(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("spend_save_rules_merchant").on(t.merchantId, t.endsAt),
    index("spend_save_rules_campaign").on(t.campaignId, t.endsAt),
    check("spend_save_rules_owner", sql`(${t.merchantId} IS NULL) != (${t.campaignId} IS NULL)`),
  ],
);

// A coupon: a merchant's (its products, merchant-funded) or the operator's (merchant_id null: platform-wide,
// platform-funded). `claimed` never passes `quantity` (CHECK), so the conditional claim cannot oversell.
export const coupons = sqliteTable(
  "coupons",
  {
    id: text("id").primaryKey(),
    ...discountSource(),
    kind: text("kind", { enum: ["fixed", "percent"] }).notNull(),
    amountOff: integer("amount_off"),
    percentOff: integer("percent_off"),
    maxOff: integer("max_off"),
    minSpend: integer("min_spend").notNull().default(0),
    ...discountTerms(),
    quantity: integer("quantity").notNull(),
    claimed: integer("claimed").notNull().default(0),
    perShopperLimit: integer("per_shopper_limit").notNull().default(1),
    // Only for viewers of a live session, or readers of a note (proved by the attribution reference they got there).
    audience: text("audience", { enum: ["everyone", "live_viewers", "note_readers"] })
      .notNull()
      .default("everyone"),
    audienceId: text("audience_id"),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    merchantListIndex("coupons", t),
    check("coupons_claimed", sql`${t.claimed} >= 0 AND ${t.claimed} <= ${t.quantity}`),
    check(
      "coupons_kind",
      sql`(${t.kind} = 'fixed' AND ${t.amountOff} > 0) OR (${t.kind} = 'percent' AND ${t.percentOff} BETWEEN 1 AND 99)`,
    ),
  ],
);

// A shopper's claimed coupon (the n-th of theirs for that coupon); used once, by one order.
export const couponClaims = sqliteTable(
  "coupon_claims",
  {
    couponId: requiredRef("coupon_id", () => coupons.id),
    ownerId: text("owner_id").notNull(),
    seq: integer("seq").notNull(),
    orderId: text("order_id"),
    claimedAt: text("claimed_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [
    primaryKey({ columns: [t.couponId, t.ownerId, t.seq] }),
    index("coupon_claims_owner").on(t.ownerId, t.claimedAt),
    index("coupon_claims_order").on(t.orderId),
  ],
);

// The discounts an order got, in the order they applied, each split over the lines (`allocation`, by position);
// coupons name the claim they used. order_lines.discount_amount is each line's sum of these.
export const orderDiscounts = sqliteTable(
  "order_discounts",
  {
    orderId: requiredRef("order_id", () => orders.id),
    step: integer("step").notNull(),
    kind: text("kind", { enum: ["spend_and_save", "merchant_coupon", "platform_coupon"] }).notNull(),
    sourceId: text("source_id").notNull(),
    label: text("label").notNull(),
    amount: integer("amount").notNull(),
    fundedBy: text("funded_by", { enum: ["merchant", "platform"] }).notNull(),
    allocation: text("allocation", { mode: "json" }).$type<number[]>().notNull(),
    claimSeq: integer("claim_seq"),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.step] }),
    check("order_discounts_claim", sql`${t.kind} = 'spend_and_save' OR ${t.claimSeq} IS NOT NULL`),
    check("order_discounts_positive", sql`${t.amount} > 0`),
  ],
);

// When a pre-sale's balance is paid: the pre-sale's window, copied onto each of its orders when placed.
const balanceWindow = () => ({
  balanceStartsAt: text("balance_starts_at").notNull(),
  balanceEndsAt: text("balance_ends_at").notNull(),
});

// A merchant's pre-sale of a SKU: a deposit paid in the deposit window counts as `deduction` (>= the deposit) off
// the price; the balance (price - deduction) is paid in the balance window (a campaign's main day). `taken` counts
// the units of orders not released (cancelled or forfeited), never above `quantity`.
export const presales = sqliteTable(
  "presales",
  {
    ...merchantOwned(),
    skuId: requiredRef("sku_id", () => skus.id),
    campaignId: text("campaign_id").references(() => campaigns.id),
    ...saleTerms(),
    taken: integer("taken").notNull().default(0),
    depositAmount: integer("deposit_amount").notNull(),
    deductionAmount: integer("deduction_amount").notNull(),
    depositStartsAt: text("deposit_starts_at").notNull(),
    depositEndsAt: text("deposit_ends_at").notNull(),
    ...balanceWindow(),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("presales_sku").on(t.skuId),
    merchantListIndex("presales", t),
    check("presales_taken", sql`${t.taken} >= 0 AND ${t.taken} <= ${t.quantity}`),
    check(
      "presales_amounts",
      sql`${t.depositAmount} > 0 AND ${t.deductionAmount} >= ${t.depositAmount} AND ${t.deductionAmount} < ${t.priceAmount}`,
    ),
    check(
      "presales_windows",
      sql`${t.depositStartsAt} < ${t.depositEndsAt} AND ${t.depositEndsAt} <= ${t.balanceStartsAt} AND ${t.balanceStartsAt} < ${t.balanceEndsAt}`,
    ),
  ],
);

// A pre-sale order's two payments and amounts (totals for its quantity). `releasedAt`: when its units went back.
export const presaleOrders = sqliteTable(
  "presale_orders",
  {
    orderId: requiredRef("order_id", () => orders.id).primaryKey(),
    presaleId: requiredRef("presale_id", () => presales.id),
    ownerId: text("owner_id").notNull(),
    quantity: integer("quantity").notNull(),
    depositAmount: integer("deposit_amount").notNull(),
    deductionAmount: integer("deduction_amount").notNull(),
    balanceAmount: integer("balance_amount").notNull(),
    depositPaymentId: text("deposit_payment_id").notNull(),
    balancePaymentId: text("balance_payment_id"),
    ...balanceWindow(),
    releasedAt: text("released_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [
    index("presale_orders_owner").on(t.presaleId, t.ownerId),
    uniqueIndex("presale_orders_deposit").on(t.depositPaymentId),
    uniqueIndex("presale_orders_balance").on(t.balancePaymentId),
    check("presale_orders_amounts", sql`${t.quantity} > 0 AND ${t.balanceAmount} >= 0`),
  ],
);
