// The API shape of a product, declared once: the zod schema gives the OpenAPI document and the type.
import { z } from "@hono/zod-openapi";
import type { Currency } from "../../../shared/money.ts";
import { MoneySchema } from "../../../shared/openapi.ts";
import type { products, skus } from "../../../shared/schema.ts";

export const SkuSchema = z
  .object({
    id: z.string(),
    object: z.literal("sku"),
    options: z.record(z.string(), z.string()),
    price: MoneySchema,
    inStock: z.boolean(),
  })
  .openapi("Sku");

export const ProductSchema = z
  .object({
    id: z.string(),
    object: z.literal("product"),
    merchantId: z.string(),
    title: z.string(),
    description: z.string(),
    brand: z.string().nullable(),
    category: z.string().nullable(),
    status: z.enum(["draft", "active", "archived"]),
    images: z.array(z.string()),
    skus: z.array(SkuSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Product");

export type Product = z.infer<typeof ProductSchema>;

export function toProduct(row: typeof products.$inferSelect, skuRows: (typeof skus.$inferSelect)[]): Product {
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
    skus: skuRows.map((s) => ({
      id: s.id,
      object: "sku",
      options: s.options,
      price: { amount: s.priceAmount, currency: s.currency as Currency },
      inStock: s.stock > 0,
    })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
