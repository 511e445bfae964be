// Public product reads for storefronts: active products with their SKUs, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, lt } from "drizzle-orm";
import { database } from "../../../../shared/db.ts";
import { ProblemError } from "../../../../shared/errors.ts";
import { createRouter } from "../../../../shared/http.ts";
import { problemResponses, retrieveRoute } from "../../../../shared/openapi.ts";
import { decodeCursor, page, pageQuery } from "../../../../shared/pagination.ts";
import { products, skus } from "../../../../shared/schema.ts";
import { type Product, ProductSchema, toProduct } from "../product.ts";

const listProducts = createRoute({
  method: "get",
  path: "/",
  summary: "List active products, newest first",
  request: { query: pageQuery },
  responses: {
    200: {
      description: "A page of products",
      content: {
        "application/json": { schema: z.object({ data: z.array(ProductSchema), nextCursor: z.string().nullable() }) },
      },
    },
    ...problemResponses(400),
  },
});

const getProduct = retrieveRoute({
  prefix: "prod",
  schema: ProductSchema,
  summary: "Retrieve an active product",
  name: "product",
});

export const productRoutes = createRouter<{ Bindings: Env }>();

// Public catalog data may be cached briefly by browsers and the edge.
productRoutes.use(async function publicCache(c, next) {
  await next();
  if (c.res.status === 200) c.header("cache-control", "public, max-age=30, stale-while-revalidate=60");
});

async function withSkus(db: ReturnType<typeof database>, rows: (typeof products.$inferSelect)[]): Promise<Product[]> {
  if (rows.length === 0) return [];
  const skuRows = await db
    .select()
    .from(skus)
    .where(
      inArray(
        skus.productId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(skus.id);
  return rows.map((row) =>
    toProduct(
      row,
      skuRows.filter((s) => s.productId === row.id),
    ),
  );
}

productRoutes.openapi(listProducts, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const after = decodeCursor(cursor);
  const db = database(c.env);
  const rows = await db
    .select()
    .from(products)
    .where(after ? and(eq(products.status, "active"), lt(products.id, after)) : eq(products.status, "active"))
    .orderBy(desc(products.id))
    .limit(limit + 1);
  const result = page(rows, limit);
  return c.json({ data: await withSkus(db, result.data), nextCursor: result.nextCursor }, 200);
});

productRoutes.openapi(getProduct, async (c) => {
  const { id } = c.req.valid("param");
  const db = database(c.env);
  const row = await db.query.products.findFirst({ where: and(eq(products.id, id), eq(products.status, "active")) });
  if (!row) throw new ProblemError("not_found", `Product ${id} does not exist.`);
  const [product] = await withSkus(db, [row]);
  return c.json(product, 200);
});
