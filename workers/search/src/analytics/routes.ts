// Query analytics of a day: the operator reads every query and the zero-result ones; a merchant reads the queries
// that showed its own products (log-query.ts counts them). Never cached.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { calendarDay } from "#shared/openapi/schemas.ts";
import { checkFirst, requireMerchantOr, requireOperator } from "#shared/principal.ts";

const QueryCountSchema = z.object({
  query: z.string(),
  type: z.string(),
  searches: z.number().int(),
  zeroResults: z.number().int(),
});

const AnalyticsSchema = z
  .object({
    object: z.literal("search_analytics"),
    day: z.string(),
    topQueries: z.array(QueryCountSchema.or(z.object({ query: z.string(), impressions: z.number().int() }))),
    zeroResultQueries: z.array(QueryCountSchema),
  })
  .openapi("SearchAnalytics");

const analyticsRoute = route("GET /", "Top and zero-result queries of a day", {
  description:
    "The operator: every query, by searches, and those that found nothing. A merchant (`analytics:read`): the queries that showed its products on the first page, by impressions.",
  request: {
    query: z
      .object({
        day: calendarDay.optional().openapi({ description: "Today (UTC) by default." }),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      })
      .strict(),
  },
  responses: ok(AnalyticsSchema, "The day's queries", 400, 401, 403),
  caller: checkFirst((c) => requireMerchantOr(c, "analytics:read", requireOperator)),
});

export const analyticsRoutes = createRouter<{ Bindings: Env }>();
analyticsRoutes.use(privateCache);

analyticsRoutes.openapi(analyticsRoute, async (c) => {
  const { day = new Date().toISOString().slice(0, 10), limit } = c.req.valid("query");
  const db = database(c.env).$client;
  const merchant = requireMerchantOr(c, "analytics:read", requireOperator);
  if (merchant) {
    const { rows } = await db.execute({
      sql: `SELECT query, impressions FROM search_query_merchants WHERE day = ? AND merchant_id = ?
            ORDER BY impressions DESC, query LIMIT ?`,
      args: [day, merchant.merchantId, limit],
    });
    const topQueries = rows.map((r) => ({ query: String(r.query), impressions: Number(r.impressions) }));
    return c.json({ object: "search_analytics" as const, day, topQueries, zeroResultQueries: [] }, 200);
  }
  const [top = { rows: [] }, zero = { rows: [] }] = await db.batch(
    [
      {
        sql: `SELECT query, type, searches, zero_results FROM search_query_stats WHERE day = ?
              ORDER BY searches DESC, query LIMIT ?`,
        args: [day, limit],
      },
      {
        sql: `SELECT query, type, searches, zero_results FROM search_query_stats WHERE day = ? AND zero_results > 0
              ORDER BY zero_results DESC, query LIMIT ?`,
        args: [day, limit],
      },
    ],
    "read",
  );
  const counts = (rows: ArrayLike<Record<string, unknown>>) =>
    Array.from(rows).map((r) => ({
      query: String(r.query),
      type: String(r.type),
      searches: Number(r.searches),
      zeroResults: Number(r.zero_results),
    }));
  return c.json(
    { object: "search_analytics" as const, day, topQueries: counts(top.rows), zeroResultQueries: counts(zero.rows) },
    200,
  );
});
