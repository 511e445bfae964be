// Campaigns: the operator creates them (name, badge, periods); merchants join with their own products, optionally
// with a campaign price per SKU (charged on the main day, through shared/pricing.ts). Joining bumps the product's
// version, so its cached page and ETag change with its badge and prices.
import { z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { currencies, money } from "#shared/money.ts";
import { distinct, MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { campaignPeriod } from "#shared/pricing.ts";
import { campaignPrices, campaignProducts, campaigns, products, skus } from "#shared/schema.ts";

const instant = z.string().datetime({ offset: false }).openapi({ example: "2026-11-11T00:00:00.000Z" });

export const CampaignCreateSchema = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: "双11 Double 11" }),
    badge: z.string().min(1).max(20).openapi({ example: "双11" }),
    warmupStartsAt: instant,
    presaleStartsAt: instant.optional().openapi({ description: "Deposits for pre-sales are taken from then." }),
    mainStartsAt: instant.openapi({ description: "Campaign prices and spend-and-save apply from then." }),
    endsAt: instant,
  })
  .strict()
  .superRefine((c, ctx) => {
    const order = [c.warmupStartsAt, c.presaleStartsAt ?? c.mainStartsAt, c.mainStartsAt];
    if (order[0] && order[1] && order[0] > order[1]) {
      ctx.addIssue({ code: "custom", path: ["warmupStartsAt"], message: "the warm-up comes first" });
    }
    if (c.presaleStartsAt && c.presaleStartsAt > c.mainStartsAt) {
      ctx.addIssue({ code: "custom", path: ["presaleStartsAt"], message: "the pre-sale comes before the main day" });
    }
    if (c.endsAt <= c.mainStartsAt)
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after mainStartsAt" });
  })
  .openapi("CampaignCreate");

export const CampaignSchema = z
  .object({
    ...resourceFields("campaign"),
    name: z.string(),
    badge: z.string(),
    warmupStartsAt: z.string(),
    presaleStartsAt: z.string().nullable(),
    mainStartsAt: z.string(),
    endsAt: z.string(),
    period: z.enum(["upcoming", "warmup", "presale", "main", "ended"]).openapi({ description: "Now." }),
    createdAt: z.string(),
  })
  .openapi("Campaign");

export type Campaign = z.infer<typeof CampaignSchema>;
type CampaignRow = typeof campaigns.$inferSelect;

export function toCampaign(row: CampaignRow, now: Date): Campaign {
  return {
    id: row.id,
    object: "campaign",
    name: row.name,
    badge: row.badge,
    warmupStartsAt: row.warmupStartsAt,
    presaleStartsAt: row.presaleStartsAt,
    mainStartsAt: row.mainStartsAt,
    endsAt: row.endsAt,
    period: campaignPeriod(row, now.toISOString()),
    createdAt: row.createdAt,
  };
}

export async function createCampaign(db: Database, input: z.infer<typeof CampaignCreateSchema>): Promise<CampaignRow> {
  const [row] = await db
    .insert(campaigns)
    .values({ id: newId("cmp"), ...input, presaleStartsAt: input.presaleStartsAt ?? null })
    .returning();
  if (!row) throw new Error("campaign missing after insert");
  return row;
}

/** A campaign's row, or 404 (what the pre-sale code reads a campaign's periods with). */
export async function campaignRow(db: Database, campaignId: string): Promise<CampaignRow> {
  const row = await db.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!row) throw new ProblemError("not_found", `Campaign ${campaignId} does not exist.`);
  return row;
}

export const JoinSchema = z
  .object({
    productId: z.string().regex(/^prod_[0-9A-Za-z]{1,64}$/),
    prices: z
      .array(
        z
          .object({
            skuId: z.string().regex(/^sku_[0-9A-Za-z]{1,64}$/),
            price: z.object({ amount: z.number().int().min(0).max(1_000_000_000), currency: z.enum(currencies) }),
          })
          .strict(),
      )
      .max(100)
      .superRefine(distinct((price) => price.skuId))
      .default([])
      .openapi({ description: "Campaign prices of the product's SKUs (main day); each below the SKU's list price." }),
  })
  .strict()
  .openapi("CampaignJoin");

export const CampaignProductSchema = z
  .object({
    object: z.literal("campaign_product"),
    campaignId: z.string(),
    productId: z.string(),
    merchantId: z.string(),
    prices: z.array(z.object({ skuId: z.string(), price: MoneySchema })),
  })
  .openapi("CampaignProduct");

/** A merchant's product joins (or re-joins, replacing its prices) a campaign not yet ended. */
export async function joinCampaign(input: {
  db: Database;
  campaign: CampaignRow;
  merchantId: string;
  join: z.infer<typeof JoinSchema>;
  now: Date;
}): Promise<z.infer<typeof CampaignProductSchema>> {
  const { db, campaign, merchantId, join } = input;
  const at = input.now.toISOString();
  if (at >= campaign.endsAt) throw new ProblemError("conflict", `Campaign ${campaign.id} has ended.`);
  const [productRows, skuRows] = await db.batch([
    db.select().from(products).where(eq(products.id, join.productId)),
    db.select().from(skus).where(eq(skus.productId, join.productId)),
  ]);
  if (productRows[0]?.merchantId !== merchantId) {
    throw new ProblemError("not_found", `Product ${join.productId} does not exist.`, {
      errors: [{ path: "/productId", message: "no such product of yours" }],
    });
  }
  join.prices.forEach((p, i) => {
    const sku = skuRows.find((s) => s.id === p.skuId);
    const fault = !sku
      ? "not a SKU of this product"
      : p.price.currency !== sku.currency
        ? `must be in ${sku.currency}`
        : p.price.amount >= sku.priceAmount
          ? `must be below the list price ${sku.priceAmount}`
          : null;
    if (fault) {
      throw new ProblemError("validation_failed", `Campaign price ${i}: ${fault}.`, {
        errors: [{ path: `/prices/${i}`, message: fault }],
      });
    }
  });
  await db.batch([
    db
      .insert(campaignProducts)
      .values({ campaignId: campaign.id, productId: join.productId, merchantId })
      .onConflictDoNothing(),
    db
      .delete(campaignPrices)
      .where(and(eq(campaignPrices.campaignId, campaign.id), eq(campaignPrices.productId, join.productId))),
    ...join.prices.map((p) =>
      db.insert(campaignPrices).values({
        campaignId: campaign.id,
        skuId: p.skuId,
        productId: join.productId,
        priceAmount: p.price.amount,
      }),
    ),
    db
      .update(products)
      .set({ version: sql`${products.version} + 1`, updatedAt: at })
      .where(eq(products.id, join.productId)),
  ]);
  return {
    object: "campaign_product",
    campaignId: campaign.id,
    productId: join.productId,
    merchantId,
    prices: join.prices.map((p) => ({ skuId: p.skuId, price: money(p.price.amount, p.price.currency) })),
  };
}

/**
 * A merchant leaves a campaign before its main day: its products leave it with their campaign prices, and their
 * versions move (new ETags), in one batch that re-checks the main day has not begun. From its start the merchant
 * stays (409 `conflict`): shoppers' carts and orders are priced by it. Leaving again changes nothing. The products
 * that left, for the caller to purge their cached pages.
 */
export async function leaveCampaign(input: {
  db: Database;
  campaign: CampaignRow;
  merchantId: string;
  now: Date;
}): Promise<string[]> {
  const { db, campaign } = input;
  const at = input.now.toISOString();
  if (at >= campaign.mainStartsAt) {
    throw new ProblemError(
      "conflict",
      `Campaign ${campaign.id}'s main day began at ${campaign.mainStartsAt}: its merchants stay until it ends.`,
    );
  }
  const args = { campaign: campaign.id, merchant: input.merchantId, at };
  const before = "EXISTS (SELECT 1 FROM campaigns WHERE id = :campaign AND main_starts_at > :at)";
  const mine = "SELECT product_id FROM campaign_products WHERE campaign_id = :campaign AND merchant_id = :merchant";
  const results = await db.$client.batch(
    [
      { sql: `${mine} AND ${before}`, args },
      {
        sql: `DELETE FROM campaign_prices WHERE campaign_id = :campaign AND product_id IN (${mine}) AND ${before}`,
        args,
      },
      {
        sql: `UPDATE products SET version = version + 1, updated_at = :at WHERE id IN (${mine}) AND ${before}`,
        args,
      },
      {
        sql: `DELETE FROM campaign_products WHERE campaign_id = :campaign AND merchant_id = :merchant AND ${before}`,
        args,
      },
      { sql: `SELECT ${before} AS open`, args },
    ],
    "write",
  );
  if (!results[4]?.rows[0]?.open) {
    throw new ProblemError(
      "conflict",
      `Campaign ${campaign.id}'s main day has begun: its merchants stay until it ends.`,
    );
  }
  return (results[0]?.rows ?? []).map((row) => String(row.product_id));
}

/** The campaign's products (a merchant's own only, when given). */
export async function campaignProductList(db: Database, campaignId: string, merchantId: string | undefined) {
  const rows = await db
    .select()
    .from(campaignProducts)
    .where(
      and(
        eq(campaignProducts.campaignId, campaignId),
        merchantId ? eq(campaignProducts.merchantId, merchantId) : undefined,
      ),
    )
    .limit(500);
  const prices =
    rows.length === 0
      ? []
      : await db
          .select({
            productId: campaignPrices.productId,
            skuId: campaignPrices.skuId,
            amount: campaignPrices.priceAmount,
            currency: skus.currency,
          })
          .from(campaignPrices)
          .innerJoin(skus, eq(skus.id, campaignPrices.skuId))
          .where(
            and(
              eq(campaignPrices.campaignId, campaignId),
              inArray(
                campaignPrices.productId,
                rows.map((r) => r.productId),
              ),
            ),
          );
  return rows.map((row) => ({
    object: "campaign_product" as const,
    campaignId,
    productId: row.productId,
    merchantId: row.merchantId,
    prices: prices
      .filter((p) => p.productId === row.productId)
      .map((p) => ({ skuId: p.skuId, price: money(p.amount, p.currency) })),
  }));
}
