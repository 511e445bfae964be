// The API shape of a product, declared once: the zod schemas give the OpenAPI document, validation and the types.
import { z } from "@hono/zod-openapi";
import { inArray } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ImageRefSchema } from "#shared/media.ts";
import { currencies, moneyIn } from "#shared/money.ts";
import { MoneySchema, requiredText, resourceFields } from "#shared/openapi/schemas.ts";
import { campaignOffers, type ProductOffers, unitPrice } from "#shared/pricing.ts";
import { type products, skus } from "#shared/schema.ts";

export const SkuSchema = z
  .object({
    ...resourceFields("sku"),
    productId: z.string(),
    options: z.record(z.string(), z.string()),
    image: z.string().nullable().openapi({ description: "The variant's own picture, or null (the product's show)." }),
    price: MoneySchema.openapi({ description: "The list price." }),
    unitPrice: MoneySchema.openapi({
      description:
        "What a unit costs now (a campaign's price on its main day, else the list price): what a cart charges.",
    }),
    inStock: z.boolean(),
    stock: z.number().int().optional().openapi({ description: "Units in stock; shown to the owning merchant only." }),
  })
  .openapi("Sku");

export const ProductSchema = z
  .object({
    ...resourceFields("product"),
    merchantId: z.string(),
    title: z.string(),
    description: z.string(),
    brand: z.string().nullable(),
    category: z.string().nullable(),
    status: z.enum(["draft", "active", "archived"]),
    images: z.array(z.string()),
    allowsPromotion: z
      .boolean()
      .openapi({ description: "Whether creators may tag it in notes and shelve it in live streams." }),
    commissionRateBps: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Creators' commission in basis points; null means the merchant's default rate." }),
    skus: z.array(SkuSchema),
    campaign: z
      .object({
        id: z.string(),
        name: z.string(),
        badge: z.string(),
        period: z.enum(["upcoming", "warmup", "presale", "main", "ended"]),
      })
      .nullable()
      .openapi({ description: "The campaign badge shown on the product, from the campaign's warm-up to its end." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Product");

export type Product = z.infer<typeof ProductSchema>;

// Bounds (docs/guides/catalog-and-inventory.md): what a storefront can show and a merchant can sensibly manage.
const options = z
  .record(requiredText(40), requiredText(80))
  .refine((o) => Object.keys(o).length <= 5, "at most 5 options");

export const PriceInputSchema = z
  .object({
    amount: z.number().int().min(0).max(100_000_000_00),
    currency: z.enum(currencies),
  })
  .strict();

export const SkuInputSchema = z
  .object({
    options,
    image: ImageRefSchema.nullable().optional().openapi({ description: "The variant's own picture." }),
    price: PriceInputSchema,
    stock: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .default(0)
      .openapi({ description: "Opening stock, recorded in the ledger." }),
  })
  .strict()
  .openapi("SkuInput");

const productFields = {
  title: requiredText(200),
  description: z.string().max(10_000),
  brand: requiredText(100).nullable(),
  category: requiredText(100).nullable(),
  images: z.array(ImageRefSchema).max(18),
  allowsPromotion: z.boolean(),
  commissionRateBps: z.number().int().min(0).max(10_000).nullable(),
};

export const ProductCreateSchema = z
  .object({
    ...productFields,
    description: productFields.description.default(""),
    brand: productFields.brand.default(null),
    category: productFields.category.default(null),
    images: productFields.images.default([]),
    allowsPromotion: productFields.allowsPromotion.default(true),
    commissionRateBps: productFields.commissionRateBps.default(null),
    status: z.enum(["draft", "active"]).default("draft"),
    skus: z.array(SkuInputSchema).min(1).max(100),
  })
  .strict()
  .openapi("ProductCreate");

export const ProductUpdateSchema = z
  .object({ ...productFields, status: z.enum(["draft", "active", "archived"]) })
  .partial()
  .strict()
  .openapi("ProductUpdate");

type ProductRow = typeof products.$inferSelect;
type SkuRow = typeof skus.$inferSelect;

export function toSku(s: SkuRow, owner: boolean, offers?: ProductOffers): Product["skus"][number] {
  const m = moneyIn(s.currency);
  const unit = unitPrice({
    listAmount: s.priceAmount,
    campaignPrices: offers?.prices.get(s.id) ?? [],
    at: new Date().toISOString(),
  });
  return {
    id: s.id,
    object: "sku",
    productId: s.productId,
    options: s.options,
    image: s.image,
    price: m(s.priceAmount),
    unitPrice: m(unit.amount),
    inStock: s.stock > 0,
    ...(owner ? { stock: s.stock } : {}),
  };
}

export function toProduct(row: ProductRow, skuRows: SkuRow[], owner = false, offers?: ProductOffers): Product {
  return {
    id: row.id,
    object: "product",
    merchantId: row.merchantId,
    title: row.title,
    description: row.description,
    brand: row.brand,
    category: row.category,
    status: row.status,
    images: row.images,
    allowsPromotion: row.allowsPromotion,
    commissionRateBps: row.commissionRateBps,
    skus: skuRows.map((s) => toSku(s, owner, offers)),
    campaign: offers?.campaign ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Products with their SKUs, in one extra query for the whole page. */
export async function withSkus(db: Database, rows: ProductRow[], owner: boolean): Promise<Product[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [skuRows, offers] = await Promise.all([
    db.select().from(skus).where(inArray(skus.productId, ids)).orderBy(skus.id),
    campaignOffers(db, ids, new Date().toISOString()),
  ]);
  return rows.map((row) =>
    toProduct(
      row,
      skuRows.filter((s) => s.productId === row.id),
      owner,
      offers.get(row.id),
    ),
  );
}
