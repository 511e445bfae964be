// The one pricing function: what a unit of a SKU costs right now, wherever it is shown (the product page, search
// results, a live room's pinned product) or charged (a cart line, so an order). Given the SKU's list price, the
// flash sale a line holds units of, and the campaign prices in force, the rule is:
//   a held flash-sale unit costs the sale's price; otherwise the lowest campaign price whose main period (from
//   `mainStartsAt` until `endsAt`) contains the moment; otherwise the list price; never more than the list price.
// Campaign badges show from a campaign's warm-up until it ends. `campaignOffers` reads what the function needs for
// a set of products in one query, and `unitPriceSql` is the same rule in SQL for lists sorted or filtered by price.
import { and, eq, gt, inArray, lte, type SQLWrapper } from "drizzle-orm";
import type { Database } from "./db.ts";
import { campaignPrices, campaignProducts, campaigns } from "./schema.ts";

export type PriceSource = "list" | "campaign" | "flash_sale";

export interface CampaignPrice {
  campaignId: string;
  priceAmount: number;
  mainStartsAt: string;
  endsAt: string;
}

export interface UnitPriceInput {
  listAmount: number;
  /** The campaign prices the SKU has (any period: those not in their main period are ignored). */
  campaignPrices?: readonly CampaignPrice[];
  /** The sale price of the flash sale whose held units these are (a cart line with a hold). */
  flashSaleAmount?: number | null;
  /** RFC 3339, the moment priced. */
  at: string;
}

export function unitPrice(input: UnitPriceInput): { amount: number; source: PriceSource } {
  if (input.flashSaleAmount !== undefined && input.flashSaleAmount !== null) {
    return { amount: Math.min(input.flashSaleAmount, input.listAmount), source: "flash_sale" };
  }
  let best: { amount: number; source: PriceSource } = { amount: input.listAmount, source: "list" };
  for (const offer of input.campaignPrices ?? []) {
    if (offer.mainStartsAt <= input.at && input.at < offer.endsAt && offer.priceAmount < best.amount) {
      best = { amount: offer.priceAmount, source: "campaign" };
    }
  }
  return best;
}

export type CampaignPeriod = "upcoming" | "warmup" | "presale" | "main" | "ended";

export interface CampaignPeriods {
  warmupStartsAt: string;
  presaleStartsAt: string | null;
  mainStartsAt: string;
  endsAt: string;
}

/** Which period of its campaign `at` falls in (the pre-sale helper's deposit window is `presale`). */
export function campaignPeriod(c: CampaignPeriods, at: string): CampaignPeriod {
  if (at < c.warmupStartsAt) return "upcoming";
  if (at >= c.endsAt) return "ended";
  if (at >= c.mainStartsAt) return "main";
  if (c.presaleStartsAt !== null && at >= c.presaleStartsAt) return "presale";
  return "warmup";
}

export interface CampaignBadge {
  id: string;
  name: string;
  badge: string;
  period: CampaignPeriod;
}

export interface ProductOffers {
  /** The campaign shown on the product: of those between warm-up and end, the one whose main day comes first. */
  campaign: CampaignBadge | null;
  /** Every campaign the product is in between warm-up and end (their spend-and-save and coupons cover it). */
  campaignIds: string[];
  /** Campaign prices by SKU id. */
  prices: Map<string, CampaignPrice[]>;
}

/**
 * The query behind campaignOffers, for callers that put it in a batch with their own reads: the products by id, or
 * by a subquery selecting their ids (a cart's).
 */
export function campaignOffersQuery(db: Database, productIds: readonly string[] | SQLWrapper, at: string) {
  const which = "getSQL" in productIds ? productIds : productIds.length > 0 ? [...productIds] : [""];
  return db
    .select({
      productId: campaignProducts.productId,
      id: campaigns.id,
      name: campaigns.name,
      badge: campaigns.badge,
      warmupStartsAt: campaigns.warmupStartsAt,
      presaleStartsAt: campaigns.presaleStartsAt,
      mainStartsAt: campaigns.mainStartsAt,
      endsAt: campaigns.endsAt,
      skuId: campaignPrices.skuId,
      priceAmount: campaignPrices.priceAmount,
    })
    .from(campaignProducts)
    .innerJoin(campaigns, eq(campaigns.id, campaignProducts.campaignId))
    .leftJoin(
      campaignPrices,
      and(
        eq(campaignPrices.campaignId, campaignProducts.campaignId),
        eq(campaignPrices.productId, campaignProducts.productId),
      ),
    )
    .where(
      and(inArray(campaignProducts.productId, which), lte(campaigns.warmupStartsAt, at), gt(campaigns.endsAt, at)),
    );
}

type OfferRow = Awaited<ReturnType<typeof campaignOffersQuery>>[number];

/** campaignOffersQuery's rows by product. */
export function toOffers(rows: readonly OfferRow[], at: string): Map<string, ProductOffers> {
  const out = new Map<string, ProductOffers>();
  for (const row of rows) {
    const offers = out.get(row.productId) ?? {
      campaign: null,
      campaignIds: [],
      prices: new Map<string, CampaignPrice[]>(),
    };
    if (!offers.campaignIds.includes(row.id)) offers.campaignIds.push(row.id);
    const shown = offers.campaign && rows.find((r) => r.id === offers.campaign?.id);
    if (!shown || row.mainStartsAt < shown.mainStartsAt) {
      offers.campaign = { id: row.id, name: row.name, badge: row.badge, period: campaignPeriod(row, at) };
    }
    if (row.skuId !== null && row.priceAmount !== null) {
      const list = offers.prices.get(row.skuId) ?? [];
      if (!list.some((p) => p.campaignId === row.id)) {
        list.push({
          campaignId: row.id,
          priceAmount: row.priceAmount,
          mainStartsAt: row.mainStartsAt,
          endsAt: row.endsAt,
        });
      }
      offers.prices.set(row.skuId, list);
    }
    out.set(row.productId, offers);
  }
  return out;
}

/** The campaigns (badge and prices) of these products at `at`, in one query; products in none are absent. */
export async function campaignOffers(
  db: Database,
  productIds: readonly string[],
  at: string,
): Promise<Map<string, ProductOffers>> {
  if (productIds.length === 0) return new Map();
  return toOffers(await campaignOffersQuery(db, productIds, at), at);
}

/** What of a product's offers changes its page over time (campaigns and their periods), for its public ETag. */
export function offersTag(offers: ProductOffers | undefined, at: string): string {
  if (!offers) return "";
  const main = [...offers.prices.values()].flat().some((p) => p.mainStartsAt <= at && at < p.endsAt);
  return `.${offers.campaignIds.join("+")}.${offers.campaign?.period ?? ""}${main ? ".main" : ""}`;
}

/**
 * unitPrice for a regular (not held) unit of the SKU aliased `sku`, in SQL, at the database's clock: the lowest
 * campaign price in its main period, else the list price. Kept beside unitPrice; the gateway's pricing test checks
 * that a search hit (this) agrees with the product page (unitPrice).
 */
export function unitPriceSql(sku: string): string {
  return `min(${sku}.price_amount, coalesce((
    SELECT min(cp.price_amount) FROM campaign_prices cp JOIN campaigns cc ON cc.id = cp.campaign_id
    WHERE cp.sku_id = ${sku}.id AND cc.main_starts_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      AND cc.ends_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ${sku}.price_amount))`;
}
