// What the operator manages (synonyms, ranking weights) and reads (query analytics); merchants read the analytics
// of queries that showed their own products. Never cached.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent, problemResponses } from "#shared/openapi.ts";
import { principalOf, requireMerchant, requireOperator } from "#shared/principal.ts";
import { normaliseQuery } from "../query.ts";
import { defaultRanking, RANKING_SETTING, RankingSchema, rankingFrom } from "../ranking.ts";
import { reindexPinyin } from "../reindex.ts";

const SynonymSetSchema = z
  .object({
    object: z.literal("synonym_set"),
    name: z.string(),
    terms: z.array(z.string()).openapi({ description: "Normalised: NFKC, lower case, single spaces." }),
  })
  .openapi("SynonymSet");

const nameParam = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, - and _, at most 64")
    .openapi({ param: { name: "name", in: "path" }, example: "xiaoheiping" }),
});

const SynonymInputSchema = z
  .object({
    terms: z
      .array(z.string().trim().min(1).max(100))
      .min(2)
      .max(20)
      .openapi({ example: ["小黑瓶", "Advanced Génifique"] }),
  })
  .strict()
  .openapi("SynonymSetInput");

const listSynonymsRoute = createRoute({
  method: "get",
  path: "/synonyms",
  summary: "List synonym sets (operator)",
  responses: {
    200: jsonContent(z.object({ data: z.array(SynonymSetSchema), nextCursor: z.null() }), "Every set, by name"),
    ...problemResponses(401),
  },
});

const putSynonymsRoute = createRoute({
  method: "put",
  path: "/synonyms/{name}",
  summary: "Create or replace a synonym set (operator)",
  description: "A query for any term of the set also finds what the others find. Idempotent.",
  request: {
    params: nameParam,
    body: { required: true, content: { "application/json": { schema: SynonymInputSchema } } },
  },
  responses: { 200: jsonContent(SynonymSetSchema, "The set"), ...problemResponses(400, 401) },
});

const deleteSynonymsRoute = createRoute({
  method: "delete",
  path: "/synonyms/{name}",
  summary: "Delete a synonym set (operator)",
  request: { params: nameParam },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 404) },
});

const SettingsSchema = z
  .object({ object: z.literal("search_settings"), ranking: RankingSchema, defaults: RankingSchema })
  .openapi("SearchSettings");

const getSettingsRoute = createRoute({
  method: "get",
  path: "/settings",
  summary: "The ranking weights in force (operator)",
  responses: { 200: jsonContent(SettingsSchema, "Weights in force and their defaults"), ...problemResponses(401) },
});

const putSettingsRoute = createRoute({
  method: "put",
  path: "/settings",
  summary: "Set the ranking weights (operator)",
  description: "Replaces the operator's weights; any weight left out takes its default.",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ ranking: RankingSchema.partial() }).strict() } },
    },
  },
  responses: { 200: jsonContent(SettingsSchema, "Weights in force"), ...problemResponses(400, 401) },
});

const reindexRoute = createRoute({
  method: "post",
  path: "/reindex",
  summary: "Fill the pinyin of documents written before the index had it (operator)",
  description:
    "Each call computes the title pinyin of up to `limit` rows per kind still without it (re-indexing them); call again until `remaining` is 0.",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict() },
  responses: {
    200: jsonContent(
      z.object({ object: z.literal("search_reindex"), updated: z.number().int(), remaining: z.number().int() }),
      "Rows updated by this call, and rows still without pinyin",
    ),
    ...problemResponses(400, 401),
  },
});

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

const analyticsRoute = createRoute({
  method: "get",
  path: "/analytics",
  summary: "Top and zero-result queries of a day",
  description:
    "The operator: every query, by searches, and those that found nothing. A merchant (`analytics:read`): the queries that showed its products on the first page, by impressions.",
  request: {
    query: z
      .object({
        day: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day, YYYY-MM-DD")
          .optional()
          .openapi({ description: "Today (UTC) by default." }),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      })
      .strict(),
  },
  responses: { 200: jsonContent(AnalyticsSchema, "The day's queries"), ...problemResponses(400, 401, 403) },
});

export const adminRoutes = createRouter<{ Bindings: Env }>();

// Only these routes: a middleware here would also run for the public search routes mounted beside them.
for (const path of ["/synonyms", "/synonyms/*", "/settings", "/analytics"]) {
  adminRoutes.use(path, async function privateCache(c, next) {
    await next();
    c.header("cache-control", "private, no-store");
  });
}

adminRoutes.openapi(listSynonymsRoute, async (c) => {
  requireOperator(c);
  const { rows } = await database(c.env).$client.execute(
    "SELECT set_name, json_group_array(term ORDER BY term) AS terms FROM search_synonyms GROUP BY set_name ORDER BY set_name",
  );
  const data = rows.map((row) => ({
    object: "synonym_set" as const,
    name: String(row.set_name),
    terms: JSON.parse(String(row.terms)) as string[],
  }));
  return c.json({ data, nextCursor: null }, 200);
});

adminRoutes.openapi(putSynonymsRoute, async (c) => {
  requireOperator(c);
  const { name } = c.req.valid("param");
  const terms = [...new Set(c.req.valid("json").terms.map(normaliseQuery))].filter((t) => t.length > 0).sort();
  if (terms.length < 2) {
    throw new ProblemError("validation_failed", "A synonym set needs two different terms.", {
      errors: [{ path: "/terms", message: "at least two different terms (after normalisation)" }],
    });
  }
  await database(c.env).$client.batch(
    [
      { sql: "DELETE FROM search_synonyms WHERE set_name = ?", args: [name] },
      ...terms.map((term) => ({
        sql: "INSERT INTO search_synonyms (set_name, term) VALUES (?, ?)",
        args: [name, term],
      })),
    ],
    "write",
  );
  return c.json({ object: "synonym_set" as const, name, terms }, 200);
});

adminRoutes.openapi(deleteSynonymsRoute, async (c) => {
  requireOperator(c);
  const { name } = c.req.valid("param");
  const result = await database(c.env).$client.execute({
    sql: "DELETE FROM search_synonyms WHERE set_name = ?",
    args: [name],
  });
  if (result.rowsAffected === 0) throw new ProblemError("not_found", `Synonym set ${name} does not exist.`);
  return c.body(null, 204);
});

async function storedRanking(c: { env: Env }) {
  const { rows } = await database(c.env).$client.execute({
    sql: "SELECT value FROM search_settings WHERE name = ?",
    args: [RANKING_SETTING],
  });
  const value = rows[0]?.value;
  return rankingFrom(typeof value === "string" ? JSON.parse(value) : undefined);
}

adminRoutes.openapi(getSettingsRoute, async (c) => {
  requireOperator(c);
  return c.json({ object: "search_settings" as const, ranking: await storedRanking(c), defaults: defaultRanking }, 200);
});

adminRoutes.openapi(putSettingsRoute, async (c) => {
  requireOperator(c);
  const { ranking } = c.req.valid("json");
  await database(c.env).$client.execute({
    sql: `INSERT INTO search_settings (name, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
          ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    args: [RANKING_SETTING, JSON.stringify(ranking)],
  });
  return c.json({ object: "search_settings" as const, ranking: rankingFrom(ranking), defaults: defaultRanking }, 200);
});

adminRoutes.openapi(reindexRoute, async (c) => {
  requireOperator(c);
  const { limit } = c.req.valid("query");
  return c.json({ object: "search_reindex" as const, ...(await reindexPinyin({ db: database(c.env), limit })) }, 200);
});

adminRoutes.openapi(analyticsRoute, async (c) => {
  const { day = new Date().toISOString().slice(0, 10), limit } = c.req.valid("query");
  const db = database(c.env).$client;
  const { actor } = principalOf(c);
  if (actor.type === "merchant") {
    const merchant = requireMerchant(c, "analytics:read");
    const { rows } = await db.execute({
      sql: `SELECT query, impressions FROM search_query_merchants WHERE day = ? AND merchant_id = ?
            ORDER BY impressions DESC, query LIMIT ?`,
      args: [day, merchant.merchantId, limit],
    });
    const topQueries = rows.map((r) => ({ query: String(r.query), impressions: Number(r.impressions) }));
    return c.json({ object: "search_analytics" as const, day, topQueries, zeroResultQueries: [] }, 200);
  }
  requireOperator(c);
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
