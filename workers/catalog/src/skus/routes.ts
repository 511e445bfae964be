// SKUs of the merchant's own products: price and options, and stock through the inventory ledger only.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { ImageRefSchema } from "#shared/media.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { idParam, pageOf, requiredText, resourceFields } from "#shared/openapi/schemas.ts";
import { newestPage, pageQuery } from "#shared/pagination.ts";
import { merchantScope, requireMerchant } from "#shared/principal.ts";
import { inventoryLedger } from "#shared/schema.ts";
import { PriceInputSchema, SkuSchema } from "../products/product.ts";
import { merchantWrite } from "../products/routes.ts";
import { adjustInventory } from "./adjust-inventory.ts";
import { ownSku, updateSku } from "./update.ts";

const AdjustmentSchema = z
  .object({
    ...resourceFields("inventory_adjustment"),
    skuId: z.string(),
    delta: z.number().int(),
    reason: z.string(),
    stockAfter: z
      .number()
      .int()
      .optional()
      .openapi({ description: "Stock right after this adjustment (on creation)." }),
    createdAt: z.string(),
  })
  .openapi("InventoryAdjustment");

const AdjustmentInput = z
  .object({
    delta: z
      .number()
      .int()
      .min(-10_000_000)
      .max(10_000_000)
      .refine((d) => d !== 0, "must not be zero")
      .openapi({ description: "Units added (positive) or removed (negative)." }),
    reason: z.enum(["restock", "correction", "damaged", "lost", "returned", "other"]),
  })
  .strict()
  .openapi("InventoryAdjustmentInput");

const SkuUpdate = z
  .object({
    options: z.record(requiredText(40), requiredText(80)).optional(),
    price: PriceInputSchema.optional(),
    image: ImageRefSchema.nullable().optional().openapi({ description: "The variant's own picture; null removes it." }),
  })
  .strict()
  .openapi("SkuUpdate");

const updateSkuRoute = route("PATCH /{id}", "Change a SKU's price or options", {
  description: "Needs `catalog:write`. Stock changes only through inventory adjustments.",
  request: { params: idParam("sku"), body: jsonBody(SkuUpdate) },
  responses: ok(SkuSchema, "The SKU", 400, 401, 403, 404),
});

const adjustRoute = route("POST /{id}/inventory-adjustments", "Adjust a SKU's stock", {
  description:
    "Needs `catalog:write` and an Idempotency-Key (a retry counts once). Refused with 409 `conflict` if stock would go below zero.",
  request: { params: idParam("sku"), body: jsonBody(AdjustmentInput) },
  responses: created(AdjustmentSchema, "The ledger entry", 400, 401, 403, 404, 409, 422),
});

const listAdjustmentsRoute = route("GET /{id}/inventory-adjustments", "A SKU's inventory ledger, newest first", {
  description: "Needs `catalog:write`. The sum of the deltas is the SKU's stock.",
  request: { params: idParam("sku"), query: pageQuery.strict() },
  responses: ok(pageOf(AdjustmentSchema), "A page of entries", 400, 401, 403, 404),
});

export const skuRoutes = createRouter<{ Bindings: Env }>();
skuRoutes.use(merchantScope("catalog:write"));

skuRoutes.openapi(updateSkuRoute, async (c) => {
  const { db, merchantId, input } = await merchantWrite(c, c.req.valid("json"));
  const sku = await updateSku({ db, merchantId, skuId: c.req.valid("param").id, patch: input });
  purge(c, `/v1/products/${sku.productId}`);
  return c.json(sku, 200);
});

skuRoutes.post("/:id/inventory-adjustments", idempotency({ required: true }));
skuRoutes.openapi(adjustRoute, async (c) => {
  const merchant = requireMerchant(c, "catalog:write");
  const { id } = c.req.valid("param");
  const { delta, reason } = c.req.valid("json");
  const db = database(c.env);
  const sku = await ownSku(db, merchant.merchantId, id);
  const result = await adjustInventory({
    client: db.$client,
    skuId: id,
    delta,
    reason,
    idempotencyKey: c.req.header("idempotency-key") ?? "",
  });
  if (!result.ok) {
    throw result.reason === "duplicate"
      ? new ProblemError("conflict", `SKU ${id} already has an adjustment with this Idempotency-Key.`)
      : new ProblemError(
          "conflict",
          `SKU ${id} has ${result.stock} in stock; removing ${-delta} would go below zero.`,
          {
            errors: [{ path: "/delta", message: `at least ${-result.stock}` }],
          },
        );
  }
  purge(c, `/v1/products/${sku.productId}`);
  return c.json({ object: "inventory_adjustment" as const, skuId: id, ...result.adjustment }, 201);
});

skuRoutes.openapi(listAdjustmentsRoute, async (c) => {
  const merchant = requireMerchant(c, "catalog:write");
  const { id } = c.req.valid("param");
  const db = database(c.env);
  await ownSku(db, merchant.merchantId, id);
  const result = await newestPage(
    db.select().from(inventoryLedger).$dynamic(),
    inventoryLedger.id,
    c.req.valid("query"),
    eq(inventoryLedger.skuId, id),
  );
  return c.json(
    {
      data: result.data.map((r) => ({
        id: r.id,
        object: "inventory_adjustment" as const,
        skuId: r.skuId,
        delta: r.delta,
        reason: r.reason,
        createdAt: r.createdAt,
      })),
      nextCursor: result.nextCursor,
    },
    200,
  );
});
