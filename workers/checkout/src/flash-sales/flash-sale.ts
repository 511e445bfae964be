// The API shape of a flash sale, declared once.
import { z } from "@hono/zod-openapi";
import { currencies, money } from "#shared/money.ts";
import { idOf, MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import type { flashSales } from "#shared/schema.ts";
import type { HoldView, SaleTerms } from "./flash-sale-stock.ts";
import { MAX_SHARDS } from "./shards.ts";

export const FlashSaleSchema = z
  .object({
    ...resourceFields("flash_sale"),
    merchantId: z.string(),
    skuId: z.string(),
    liveSessionId: z.string().nullable(),
    price: MoneySchema,
    quantity: z.number().int().openapi({ description: "Units allotted to the sale." }),
    stockLeft: z.number().int().openapi({ description: "Units not yet held or sold (summed over the shards)." }),
    perShopperLimit: z.number().int(),
    shards: z.number().int().openapi({ description: "How many objects share the stock (1 to 64)." }),
    shardStock: z
      .array(
        z.object({
          shard: z.number().int(),
          available: z.number().int(),
          held: z.number().int(),
          committed: z.number().int(),
          waiting: z.number().int(),
          movedIn: z.number().int().openapi({ description: "Units this shard took from the others." }),
          movedOut: z.number().int().openapi({ description: "Units this shard gave the others." }),
        }),
      )
      .optional()
      .openapi({ description: "Each shard's figures: for the sale's merchant only, on retrieval." }),
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

export function toFlashSale(
  row: typeof flashSales.$inferSelect,
  stockLeft: number,
  now: Date,
  shardStock?: FlashSale["shardStock"],
): FlashSale {
  return {
    id: row.id,
    object: "flash_sale",
    merchantId: row.merchantId,
    skuId: row.skuId,
    liveSessionId: row.liveSessionId,
    price: money(row.priceAmount, row.currency),
    quantity: row.quantity,
    stockLeft,
    perShopperLimit: row.perShopperLimit,
    shards: row.shards,
    ...(shardStock ? { shardStock } : {}),
    status: saleStatus(row, now),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    createdAt: row.createdAt,
  };
}

/** What one of a sale's FlashSaleStock objects (shard 0 unless named) needs to know, from its row. */
export function termsOf(row: typeof flashSales.$inferSelect, shard = 0): SaleTerms {
  return {
    shard,
    shards: row.shards,
    flashSaleId: row.id,
    skuId: row.skuId,
    allotted: row.quantity,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    perShopperLimit: row.perShopperLimit,
    priceAmount: row.priceAmount,
    currency: row.currency,
  };
}

const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .openapi({ example: "2026-11-11T12:00:00.000Z" });

export const FlashSaleCreateSchema = z
  .object({
    skuId: idOf("sku"),
    quantity: z.number().int().min(1).max(10_000_000).openapi({
      description: "Units moved out of the SKU's stock into the sale (the ledger says flash_sale_allotment).",
    }),
    price: z
      .object({ amount: z.number().int().min(0).max(100_000_000_00), currency: z.enum(currencies) })
      .strict()
      .openapi({ description: "The sale price per unit; its currency must be the SKU's." }),
    startsAt: instant,
    endsAt: instant,
    perShopperLimit: z.number().int().min(1).max(100).default(1),
    shards: z.number().int().min(1).max(MAX_SHARDS).default(1).openapi({
      description:
        "Objects sharing the stock (at most `quantity`): a shopper is served by one chosen by their id, and shards pass units to each other, so every unit sells. More shards answer more presses a second.",
    }),
    liveSessionId: idOf("live").optional(),
  })
  .strict()
  .refine((input) => input.endsAt > input.startsAt, { path: ["endsAt"], message: "must be after startsAt" })
  .refine((input) => input.shards <= input.quantity, { path: ["shards"], message: "must be at most quantity" })
  .openapi("FlashSaleCreate");

export type FlashSaleCreate = z.infer<typeof FlashSaleCreateSchema>;

export const HoldSchema = z
  .object({
    ...resourceFields("hold", "hold"),
    flashSaleId: z.string(),
    skuId: z.string(),
    status: z.enum(["waiting", "held", "committed", "released", "expired"]).openapi({
      description:
        "`waiting`: in line for released stock; `held`: yours until `expiresAt`; `committed`: in an order; `released`: given back; `expired`: not paid in time (or the sale ended while waiting).",
    }),
    quantity: z.number().int(),
    price: MoneySchema.openapi({ description: "The sale price per unit." }),
    expiresAt: z.string().nullable(),
    position: z.number().int().nullable().openapi({ description: "Place in the waiting line (1 is next)." }),
    createdAt: z.string(),
  })
  .openapi("Hold");

export type Hold = z.infer<typeof HoldSchema>;

export function toHold(view: HoldView): Hold {
  return {
    id: view.id,
    object: "hold",
    flashSaleId: view.flashSaleId,
    skuId: view.skuId,
    status: view.status,
    quantity: view.quantity,
    price: money(view.priceAmount, view.currency),
    expiresAt: view.expiresAt,
    position: view.position,
    createdAt: view.createdAt,
  };
}
