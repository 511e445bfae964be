// The selection centre (选品中心): what a creator may promote now, the active products under a running affiliate plan
// open to it (an open plan, or a targeted plan it accepted), each with the rate it would earn (the best plan's, as a
// sale would be credited: shared/affiliates.ts), the estimated earnings per sale at the lowest price, the units sold
// and the share returned over the last 30 days (orders of the caller's mode), and the merchant. `q` goes through the
// search index (search/search.ts: Chinese, pinyin, typos and synonyms as for shoppers), its best 500 products.
import { z } from "@hono/zod-openapi";
import { bestPlanSql, planRateSql } from "#shared/affiliates.ts";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { moneyIn } from "#shared/money.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { MoneySchema, pageOf } from "#shared/openapi/schemas.ts";
import { decodeJsonCursor, encodeJsonCursor } from "#shared/pagination.ts";
import { checkFirst, livemodeOf, requireCreator } from "#shared/principal.ts";
import { textOrNull } from "#shared/rows.ts";
import { MAX_QUERY_CHARACTERS } from "../search/query.ts";
import { searchCatalog } from "../search/search.ts";

const sorts = ["rate", "earnings", "sales"] as const;
type SelectionSort = (typeof sorts)[number];
const sortColumn: Record<SelectionSort, string> = { rate: "rate", earnings: "earnings", sales: "units" };
/** How many of the search index's best matches a `q` selects from. */
const SEARCH_WINDOW = 500;
const DAY_MS = 86_400_000;

const SelectionQuery = z
  .object({
    q: z
      .string()
      .max(MAX_QUERY_CHARACTERS)
      .optional()
      .openapi({ description: "Through the search index: Chinese, pinyin, typos.", example: "面霜" }),
    category: z.string().max(100).optional(),
    minRateBps: z.coerce.number().int().min(0).max(10_000).optional(),
    minPrice: z.coerce
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: "Minor units: the lowest price at or above." }),
    maxPrice: z.coerce
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: "Minor units: the lowest price at or below." }),
    sort: z
      .enum(sorts)
      .default("earnings")
      .openapi({ description: "Largest first: `rate`, estimated `earnings` per sale, 30-day `sales`." }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(300).optional().openapi({ description: "The `nextCursor` of the previous page." }),
  })
  .strict();

const SelectionItemSchema = z
  .object({
    object: z.literal("selection_item"),
    productId: z.string(),
    title: z.string(),
    category: z.string().nullable(),
    image: z.string().nullable(),
    price: MoneySchema.openapi({ description: "The lowest SKU price." }),
    commissionRateBps: z.number().int().openapi({ description: "What a sale would earn this creator now." }),
    affiliatePlanId: z.string(),
    estimatedEarnings: MoneySchema.openapi({ description: "Per sale at `price`: floor(price × rate / 10000)." }),
    unitsSold30d: z.number().int(),
    returnRate: z
      .number()
      .openapi({ description: "Units returned ÷ units sold over the last 30 days (0 when none sold)." }),
    merchant: z.object({ id: z.string(), name: z.string(), handle: z.string() }),
  })
  .openapi("SelectionItem");

type SelectionItem = z.infer<typeof SelectionItemSchema>;

const selectionRoute = route("GET /", "The selection centre: products you may promote", {
  caller: checkFirst((c) => requireCreator(c, "The selection centre")),
  description:
    "A creator (its session). The active products under a running affiliate plan open to it, with the rate and estimated earnings per sale for it, 30-day units sold and return rate, and the merchant. Filters: `q` (the search index), `category`, `minRateBps`, `minPrice`/`maxPrice`; sorts: `earnings` (default), `rate`, `sales`, largest first; cursor pages.",
  request: { query: SelectionQuery },
  responses: ok(pageOf(SelectionItemSchema).openapi("SelectionPage"), "A page of products", 400, 401),
});

interface Cursor {
  s: SelectionSort;
  v: number;
  id: string;
  t: string;
}

function decode(cursor: string, sort: SelectionSort): Cursor {
  return decodeJsonCursor(
    cursor,
    (c) =>
      c.s === sort && typeof c.v === "number" && typeof c.id === "string" && typeof c.t === "string"
        ? (c as unknown as Cursor)
        : undefined,
    "The cursor is not one this API returned for this sort.",
  );
}

export const selectionRoutes = createRouter<{ Bindings: Env }>();

selectionRoutes.openapi(selectionRoute, async (c) => {
  const creatorId = requireCreator(c, "The selection centre");
  const query = c.req.valid("query");
  const db = database(c.env);
  const cursor = query.cursor === undefined ? undefined : decode(query.cursor, query.sort);
  // A page is read as of its first page's time, so rates and plans do not shift under the cursor.
  const now = cursor?.t ?? new Date().toISOString();
  let ids: string[] | null = null;
  if (query.q !== undefined && query.q.trim() !== "") {
    const found = await searchCatalog({
      db,
      input: {
        q: query.q,
        type: "products",
        filters: { category: query.category },
        sort: "relevance",
        limit: SEARCH_WINDOW,
      },
    });
    ids = found.data.map((hit) => hit.id);
  }
  const since = new Date(Date.parse(now) - 30 * DAY_MS).toISOString();
  const column = sortColumn[query.sort];
  const soldSince = `FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.product_id = chosen.id AND o.paid_at >= :since AND o.livemode = :livemode`;
  const { rows } = await db.$client.execute({
    sql: `WITH candidates AS (
            SELECT p.id, p.title, p.category, json_extract(p.images, '$[0]') AS image,
                   m.id AS merchant_id, m.name AS merchant_name, m.handle AS merchant_handle,
                   (SELECT min(price_amount) FROM skus WHERE product_id = p.id) AS price,
                   (SELECT currency FROM skus WHERE product_id = p.id ORDER BY price_amount LIMIT 1) AS currency,
                   ${bestPlanSql({ creator: ":creator", product: "p.id", merchant: "p.merchant_id", at: ":now" })} AS plan_id
            FROM products p JOIN merchants m ON m.id = p.merchant_id
            WHERE p.status = 'active'
              AND (:ids IS NULL OR p.id IN (SELECT value FROM json_each(:ids)))
              AND (:category IS NULL OR p.category = :category)
          ), rated AS (
            SELECT candidates.*, ${planRateSql("candidates.plan_id", ":now")} AS rate
            FROM candidates WHERE plan_id IS NOT NULL AND price IS NOT NULL
          ), chosen AS (
            SELECT rated.*, price * rate / 10000 AS earnings FROM rated
            WHERE (:minRate IS NULL OR rate >= :minRate)
              AND (:minPrice IS NULL OR price >= :minPrice) AND (:maxPrice IS NULL OR price <= :maxPrice)
          )
          SELECT * FROM (
            SELECT chosen.*,
                   (SELECT coalesce(sum(l.quantity), 0) ${soldSince}) AS units,
                   (SELECT coalesce(sum(rl.quantity), 0) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                    JOIN order_lines l ON l.order_id = rl.order_id AND l.position = rl.position
                    JOIN orders o ON o.id = l.order_id
                    WHERE l.product_id = chosen.id AND o.paid_at >= :since AND o.livemode = :livemode
                      AND r.status IN ('approved', 'refunded')) AS returned
            FROM chosen
          )
          WHERE :after IS NULL OR ${column} < :value OR (${column} = :value AND id < :after)
          ORDER BY ${column} DESC, id DESC LIMIT :limit`,
    args: {
      creator: creatorId,
      now,
      since,
      livemode: livemodeOf(c) ? 1 : 0,
      ids: ids === null ? null : JSON.stringify(ids),
      category: query.category ?? null,
      minRate: query.minRateBps ?? null,
      minPrice: query.minPrice ?? null,
      maxPrice: query.maxPrice ?? null,
      after: cursor?.id ?? null,
      value: cursor?.v ?? null,
      limit: query.limit + 1,
    },
  });
  const items: (SelectionItem & { sortValue: number })[] = rows.map((row) => {
    const m = moneyIn(row.currency);
    const units = Number(row.units);
    return {
      object: "selection_item",
      productId: String(row.id),
      title: String(row.title),
      category: textOrNull(row.category),
      image: textOrNull(row.image),
      price: m(row.price),
      commissionRateBps: Number(row.rate),
      affiliatePlanId: String(row.plan_id),
      estimatedEarnings: m(row.earnings),
      unitsSold30d: units,
      returnRate: units === 0 ? 0 : Math.round((Number(row.returned) / units) * 10_000) / 10_000,
      merchant: { id: String(row.merchant_id), name: String(row.merchant_name), handle: String(row.merchant_handle) },
      sortValue: Number(row[column]),
    };
  });
  const data = items.slice(0, query.limit);
  const last = data.at(-1);
  c.header("cache-control", "private, no-store");
  return c.json(
    {
      data: data.map(({ sortValue: _sortValue, ...item }) => item),
      nextCursor:
        items.length > query.limit && last
          ? encodeJsonCursor({ s: query.sort, v: last.sortValue, id: last.productId, t: now })
          : null,
    },
    200,
  );
});
