// Products: public reads for storefronts (active products), and the owning merchant's view and writes
// (`catalog:write`). Another merchant's product is a 404, never a 403.
import { z } from "@hono/zod-openapi";
import { and, eq, exists, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import { etag as bodyEtag } from "hono/etag";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { etagOf, notModified } from "#shared/etag.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { withMediaOf } from "#shared/media.ts";
import { currencies } from "#shared/money.ts";
import { created, jsonBody, ok, okOrNotModified } from "#shared/openapi/responses.ts";
import { createResourceRoute, retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idParam, pageOf } from "#shared/openapi/schemas.ts";
import { newestPage, pageQuery } from "#shared/pagination.ts";
import { campaignOffersQuery, offersTag, toOffers } from "#shared/pricing.ts";
import { merchantScope, principalOf, requireMerchant } from "#shared/principal.ts";
import { products, skus } from "#shared/schema.ts";
import { addSku } from "../skus/add.ts";
import { createProduct } from "./create.ts";
import {
  ProductCreateSchema,
  ProductSchema,
  ProductUpdateSchema,
  SkuInputSchema,
  SkuSchema,
  toProduct,
  withSkus,
} from "./product.ts";
import { updateProduct } from "./update.ts";

const publicCache = "public, max-age=30, stale-while-revalidate=60";
const ListQuery = pageQuery
  .extend({
    merchantId: z.string().max(64).optional(),
    category: z.string().max(100).optional(),
    brand: z.string().max(100).optional(),
    minPrice: z.coerce.number().int().min(0).optional().openapi({ description: "Minor units; any SKU at or above." }),
    maxPrice: z.coerce.number().int().min(0).optional().openapi({ description: "Minor units; any SKU at or below." }),
    currency: z.enum(currencies).optional(),
    inStock: z.enum(["true", "false"]).optional(),
    status: z
      .enum(["draft", "active", "archived"])
      .optional()
      .openapi({ description: "Merchants only, over their own products; storefronts always see active ones." }),
  })
  .strict();

const listProducts = route("GET /", "List products, newest first", {
  description:
    "Storefronts (a publishable key, or nothing) see active products of every merchant. A merchant's secret key lists that merchant's own products in every status.",
  request: { query: ListQuery },
  responses: ok(pageOf(ProductSchema), "A page of products", 400),
});

const getProduct = retrieveRoute(
  "prod",
  "Retrieve a product",
  okOrNotModified(ProductSchema, "The product (ETag header)", 400, 404),
  {
    description:
      "Public: active products. A merchant's secret key: its own products in every status, with stock counts.",
  },
);

const createProductRoute = createResourceRoute(
  "Create a product with its SKUs",
  ProductCreateSchema,
  created(ProductSchema, "The product (ETag, Location)", 400, 401, 403, 409, 422),
  {
    description:
      "Needs `catalog:write`. Takes an optional Idempotency-Key. Opening stock is written to the inventory ledger.",
  },
);

const updateProductRoute = route("PATCH /{id}", "Update a product", {
  caller: merchantScope("catalog:write"),
  description: "Needs `catalog:write`. Send If-Match with the ETag you read: a stale one gets 412.",
  request: { params: idParam("prod"), body: jsonBody(ProductUpdateSchema) },
  responses: ok(ProductSchema, "The product (ETag)", 400, 401, 403, 404, 412),
});

const addSkuRoute = route("POST /{id}/skus", "Add a SKU to a product", {
  description: "Needs `catalog:write`. Takes an optional Idempotency-Key.",
  request: { params: idParam("prod"), body: jsonBody(SkuInputSchema) },
  responses: created(SkuSchema, "The SKU", 400, 401, 403, 404, 409, 422),
});

export const productRoutes = createRouter<{ Bindings: Env }>();

/** The merchant reading its own catalogue, or null for a storefront or anyone else. */
function ownerOf(c: Context): string | null {
  const { actor } = principalOf(c);
  return actor.type === "merchant" ? actor.merchantId : null;
}

/**
 * A merchant's catalogue write (`catalog:write`): its id, the database, and the body with the media it names resolved
 * to the merchant's own uploads.
 */
export async function merchantWrite<T extends Parameters<typeof withMediaOf>[3]>(
  c: Context<{ Bindings: Env }>,
  body: T,
) {
  const { merchantId } = requireMerchant(c, "catalog:write");
  const db = database(c.env);
  return { db, merchantId, input: await withMediaOf(db, c.env.MEDIA_URL, { type: "merchant", id: merchantId }, body) };
}

productRoutes.get("/", bodyEtag());
productRoutes.openapi(listProducts, async (c) => {
  const query = c.req.valid("query");
  const owner = ownerOf(c);
  if (query.status && !owner) {
    throw new ProblemError("validation_failed", "Only a merchant may list products by status.", {
      errors: [{ path: "/status", message: "needs a merchant's secret key" }],
    });
  }
  const skuMatch = (condition: SQL | undefined) =>
    exists(
      database(c.env)
        .select({ one: sql`1` })
        .from(skus)
        .where(and(eq(skus.productId, products.id), condition)),
    );
  const conditions = [
    owner ? eq(products.merchantId, owner) : eq(products.status, "active"),
    owner && query.status ? eq(products.status, query.status) : undefined,
    query.merchantId && !owner ? eq(products.merchantId, query.merchantId) : undefined,
    query.category ? eq(products.category, query.category) : undefined,
    query.brand ? eq(products.brand, query.brand) : undefined,
    query.minPrice !== undefined || query.maxPrice !== undefined || query.currency
      ? skuMatch(
          and(
            query.minPrice !== undefined ? gte(skus.priceAmount, query.minPrice) : undefined,
            query.maxPrice !== undefined ? lte(skus.priceAmount, query.maxPrice) : undefined,
            query.currency ? eq(skus.currency, query.currency) : undefined,
          ),
        )
      : undefined,
    query.inStock === "true" ? skuMatch(sql`${skus.stock} > 0`) : undefined,
    query.inStock === "false" ? sql`NOT ${skuMatch(sql`${skus.stock} > 0`)}` : undefined,
  ];
  const db = database(c.env);
  const result = await newestPage(db.select().from(products).$dynamic(), products.id, query, ...conditions);
  c.header("cache-control", owner ? "private, no-store" : publicCache);
  return c.json({ data: await withSkus(db, result.data, owner !== null), nextCursor: result.nextCursor }, 200);
});

productRoutes.openapi(getProduct, async (c) => {
  const { id } = c.req.valid("param");
  const owner = ownerOf(c);
  const db = database(c.env);
  // The product, its SKUs and its campaigns (badge, prices) in one round trip (one batch): they need only the id.
  const at = new Date().toISOString();
  const [rows, skuRows, offerRows] = await db.batch([
    db
      .select()
      .from(products)
      .where(and(eq(products.id, id), owner ? eq(products.merchantId, owner) : eq(products.status, "active"))),
    db.select().from(skus).where(eq(skus.productId, id)).orderBy(skus.id),
    campaignOffersQuery(db, [id], at),
  ]);
  const row = rows[0];
  if (!row) throw new ProblemError("not_found", `Product ${id} does not exist.`);
  const offers = toOffers(offerRows, at).get(id);
  // The owner's ETag is the version (If-Match on updates); the public one also changes with campaign periods.
  const etag = owner ? etagOf(row) : etagOf(row).replace(/"$/, `${offersTag(offers, at)}"`);
  c.header("etag", etag);
  c.header("cache-control", owner ? "private, no-store" : publicCache);
  if (notModified(c, etag)) return c.body(null, 304);
  return c.json(toProduct(row, skuRows, owner !== null, offers), 200);
});

productRoutes.post("/", merchantScope("catalog:write"), idempotency({ required: false }));
productRoutes.openapi(createProductRoute, async (c) => {
  const { db, merchantId, input } = await merchantWrite(c, c.req.valid("json"));
  const { product, version } = await createProduct({ db, merchantId, input });
  c.header("etag", etagOf({ id: product.id, version }));
  c.header("location", `/v1/products/${product.id}`);
  return c.json(product, 201);
});

productRoutes.openapi(updateProductRoute, async (c) => {
  const { db, merchantId, input } = await merchantWrite(c, c.req.valid("json"));
  const { id } = c.req.valid("param");
  const row = await updateProduct({ db, merchantId, id, ifMatch: c.req.header("if-match"), patch: input });
  const [product] = await withSkus(db, [row], true);
  c.header("etag", etagOf(row));
  purge(c, `/v1/products/${row.id}`);
  return c.json(product, 200);
});

productRoutes.post("/:id/skus", merchantScope("catalog:write"), idempotency({ required: false }));
productRoutes.openapi(addSkuRoute, async (c) => {
  const { db, merchantId, input } = await merchantWrite(c, c.req.valid("json"));
  const sku = await addSku({ db, merchantId, productId: c.req.valid("param").id, input });
  purge(c, `/v1/products/${sku.productId}`);
  return c.json(sku, 201);
});
