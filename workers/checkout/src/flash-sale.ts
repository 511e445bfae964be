// The API shape of a flash sale, declared once.
import { z } from "@hono/zod-openapi";
import type { Currency } from "../../../shared/money.ts";
import { MoneySchema } from "../../../shared/openapi.ts";
import type { flashSales } from "../../../shared/schema.ts";

export const FlashSaleSchema = z
  .object({
    id: z.string(),
    object: z.literal("flash_sale"),
    merchantId: z.string(),
    skuId: z.string(),
    liveSessionId: z.string().nullable(),
    price: MoneySchema,
    quantity: z.number().int().openapi({ description: "Units allotted to the sale." }),
    stockLeft: z.number().int().openapi({ description: "Units not yet held or sold." }),
    perShopperLimit: z.number().int(),
    status: z.enum(["scheduled", "running", "ended"]),
    startsAt: z.string(),
    endsAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("FlashSale");

export type FlashSale = z.infer<typeof FlashSaleSchema>;

export function saleStatus(row: { startsAt: string; endsAt: string }, now: Date): FlashSale["status"] {
  const at = now.toISOString();
  if (at < row.startsAt) return "scheduled";
  return at < row.endsAt ? "running" : "ended";
}

export function toFlashSale(row: typeof flashSales.$inferSelect, stockLeft: number, now: Date): FlashSale {
  return {
    id: row.id,
    object: "flash_sale",
    merchantId: row.merchantId,
    skuId: row.skuId,
    liveSessionId: row.liveSessionId,
    price: { amount: row.priceAmount, currency: row.currency as Currency },
    quantity: row.quantity,
    stockLeft,
    perShopperLimit: row.perShopperLimit,
    status: saleStatus(row, now),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    createdAt: row.createdAt,
  };
}
