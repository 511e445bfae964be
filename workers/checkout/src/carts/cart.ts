// The API shape of carts and their pricing, declared once. A cart is priced when read: regular lines at the unit
// price of shared/pricing.ts (campaign or list), held lines at their flash sale's price while the hold lasts;
// totals are structured (subtotal, discounts from promotions/, shipping by the configured rule, tax) in integer
// minor units of the cart's one currency.
import { z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { type Currency, moneyIn } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { campaignOffersQuery, type PriceSource, toOffers, unitPrice } from "#shared/pricing.ts";
import { cartLines, type carts, products, skus } from "#shared/schema.ts";
import { type CheckoutConfig, shippingRule } from "../config.ts";
import type { HoldStatus } from "../flash-sales/flash-sale-stock.ts";
import { stockOfHold } from "../flash-sales/shards.ts";
import { type CartPromotions, noPromotions, promotionsFor } from "../promotions/apply.ts";

/** Who a cart or an order belongs to: the signed-in person, or the storefront for a guest. */
export const HoldRefSchema = z
  .object({
    id: z.string(),
    flashSaleId: z.string(),
    status: z.enum(["waiting", "held", "committed", "released", "expired"]),
    expiresAt: z.string().nullable(),
  })
  .openapi("CartLineHold");

export const CartLineSchema = z
  .object({
    id: z.string().openapi({ description: "The SKU's id for a regular line, the hold's id for a flash-sale line." }),
    skuId: z.string(),
    productId: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    listPrice: MoneySchema.openapi({ description: "The SKU's catalogue price." }),
    unitPrice: MoneySchema.openapi({
      description: "What a unit costs now: the flash sale's, the campaign's or the list price.",
    }),
    amount: MoneySchema.openapi({ description: "unitPrice × quantity, before discounts." }),
    discount: MoneySchema.openapi({ description: "This line's share of the cart's discounts." }),
    hold: HoldRefSchema.nullable(),
    attribution: z.string().nullable(),
  })
  .openapi("CartLine");

export const TotalsSchema = z
  .object({
    subtotal: MoneySchema,
    discounts: z
      .array(
        z.object({
          code: z.enum(["spend_and_save", "merchant_coupon", "platform_coupon"]),
          sourceId: z.string().openapi({ description: "The spend-and-save rule (sav_…) or coupon (cpn_…)." }),
          label: z.string(),
          amount: MoneySchema,
        }),
      )
      .openapi({ description: "In the order they apply: spend-and-save, merchant coupon, platform coupon." }),
    shipping: MoneySchema,
    tax: MoneySchema.openapi({ description: "0: CNY prices include VAT." }),
    total: MoneySchema,
  })
  .openapi("Totals");

export const CartSchema = z
  .object({
    ...resourceFields("cart"),
    livemode: z.boolean().openapi({ description: "true: a live-mode cart; false: test mode." }),
    status: z.enum(["open", "checked_out"]),
    merchantId: z.string().nullable(),
    currency: z.string().nullable(),
    lines: z.array(CartLineSchema),
    couponIds: z.array(z.string()).openapi({ description: "Coupons applied (PUT /v1/carts/{id}/coupons)." }),
    couponsRefused: z.array(z.object({ couponId: z.string(), code: z.string(), detail: z.string() })).openapi({
      description: "Applied coupons that do not apply now, with the code checkout would refuse them with.",
    }),
    totals: TotalsSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Cart");

export type CartLine = z.infer<typeof CartLineSchema>;
export type Totals = z.infer<typeof TotalsSchema>;
export type Cart = z.infer<typeof CartSchema>;

export interface PricedLine extends Omit<CartLine, "discount"> {
  flashSaleId: string | null;
  merchantId: string;
  productStatus: string;
  priceSource: PriceSource;
  campaignIds: string[];
}

/** Shipping is by the subtotal (item prices, before discounts); the total is subtotal − discounts + shipping. */
export function totalsOf(
  lines: { amount: { amount: number } }[],
  currency: Currency,
  env: CheckoutConfig,
  promotions: Pick<CartPromotions, "discounts" | "total"> = noPromotions(0),
): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.amount.amount, 0);
  const rule = shippingRule(env);
  const shipping = lines.length === 0 || subtotal >= rule.freeOver ? 0 : rule.fee;
  const m = (amount: number) => ({ amount, currency });
  return {
    subtotal: m(subtotal),
    discounts: promotions.discounts.map((d) => ({
      code: d.kind,
      sourceId: d.sourceId,
      label: d.label,
      amount: m(d.amount),
    })),
    shipping: m(shipping),
    tax: m(0),
    total: m(subtotal - promotions.total + shipping),
  };
}

/** The promotions of a one-merchant cart's priced lines (strict: refuse a coupon that does not apply). */
export function cartPromotions(
  db: Database,
  row: typeof carts.$inferSelect,
  lines: PricedLine[],
  strict: boolean,
): Promise<CartPromotions> {
  if (row.merchantId === null || row.currency === null) return Promise.resolve(noPromotions(lines.length));
  return promotionsFor({
    db,
    merchantId: row.merchantId,
    currency: row.currency,
    ownerId: row.ownerId,
    couponIds: row.couponIds,
    lines: lines.map((line) => ({
      amount: line.amount.amount,
      productId: line.productId,
      flashSale: line.hold !== null,
      campaignIds: line.campaignIds,
    })),
    at: new Date().toISOString(),
    strict,
  });
}

/** The cart's lines at today's prices; held lines at their sale's price, with their hold as it is now. */
export async function priceLines(env: Env, db: Database, cartId: string): Promise<PricedLine[]> {
  const at = new Date().toISOString();
  const cartProducts = db
    .select({ id: skus.productId })
    .from(cartLines)
    .innerJoin(skus, eq(skus.id, cartLines.skuId))
    .where(eq(cartLines.cartId, cartId));
  // The lines and their products' campaigns (shared/pricing.ts) in one round trip.
  const [rows, offerRows] = await db.batch([
    db
      .select({
        lineId: cartLines.lineId,
        skuId: cartLines.skuId,
        quantity: cartLines.quantity,
        holdId: cartLines.holdId,
        flashSaleId: cartLines.flashSaleId,
        attribution: cartLines.attribution,
        priceAmount: skus.priceAmount,
        currency: skus.currency,
        productId: skus.productId,
        title: products.title,
        merchantId: products.merchantId,
        productStatus: products.status,
        ownerId: products.merchantId,
      })
      .from(cartLines)
      .innerJoin(skus, eq(skus.id, cartLines.skuId))
      .innerJoin(products, eq(products.id, skus.productId))
      .where(eq(cartLines.cartId, cartId))
      .orderBy(asc(cartLines.createdAt), asc(cartLines.lineId)),
    campaignOffersQuery(db, cartProducts, at),
  ]);
  const offers = toOffers(offerRows, at);
  return Promise.all(
    rows.map(async (row): Promise<PricedLine> => {
      let flashSaleAmount: number | null = null;
      let hold: CartLine["hold"] = null;
      if (row.holdId && row.flashSaleId) {
        const result = await stockOfHold(env, row.flashSaleId, row.holdId).getHoldById(row.holdId);
        if (result.ok) {
          flashSaleAmount = result.hold.priceAmount;
          hold = {
            id: row.holdId,
            flashSaleId: row.flashSaleId,
            status: result.hold.status,
            expiresAt: result.hold.expiresAt,
          };
        } else {
          hold = { id: row.holdId, flashSaleId: row.flashSaleId, status: "released" as HoldStatus, expiresAt: null };
        }
      }
      const m = moneyIn(row.currency);
      const offer = offers.get(row.productId);
      const price = unitPrice({
        listAmount: row.priceAmount,
        campaignPrices: offer?.prices.get(row.skuId) ?? [],
        flashSaleAmount,
        at,
      });
      const unit = price.amount;
      return {
        id: row.lineId,
        skuId: row.skuId,
        productId: row.productId,
        title: row.title,
        quantity: row.quantity,
        listPrice: m(row.priceAmount),
        unitPrice: m(unit),
        amount: m(unit * row.quantity),
        hold,
        attribution: row.attribution,
        flashSaleId: row.flashSaleId,
        merchantId: row.merchantId,
        productStatus: row.productStatus,
        priceSource: price.source,
        campaignIds: offer?.campaignIds ?? [],
      };
    }),
  );
}

export function toCart(
  row: typeof carts.$inferSelect,
  lines: PricedLine[],
  env: CheckoutConfig,
  promotions: CartPromotions = noPromotions(lines.length),
): Cart {
  const currency = (row.currency ?? "CNY") as Currency;
  return {
    id: row.id,
    object: "cart",
    livemode: row.livemode,
    status: row.status,
    merchantId: row.merchantId,
    currency: row.currency,
    lines: lines.map(
      ({ flashSaleId: _f, merchantId: _m, productStatus: _p, priceSource: _s, campaignIds: _c, ...line }, i) => ({
        ...line,
        discount: { amount: promotions.lineDiscounts[i] ?? 0, currency },
      }),
    ),
    couponIds: row.couponIds,
    couponsRefused: promotions.refused,
    totals: totalsOf(lines, currency, env, promotions),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
