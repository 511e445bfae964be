// GET /v1/search and GET /v1/search/suggest: public reads, cached at the edge for 30 s (the gateway keys the cache
// by the URL with its parameters sorted), except a storefront's suggestions, which are its own. Searches are counted
// for analytics and suggestions after the response is sent; a search answered from the edge cache is not counted.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { profileIdOf, searchSignalStatement } from "#shared/interests.ts";
import { learn } from "#shared/learn.ts";
import { problemResponses } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { pageQuery } from "#shared/pagination.ts";
import { principalOf } from "#shared/principal.ts";
import { logQuery, searcherOf } from "../analytics/log-query.ts";
import { MAX_QUERY_CHARACTERS } from "./query.ts";
import { type SearchTiming, searchCatalog, searchTypes, sorts } from "./search.ts";
import { suggest } from "./suggest.ts";

export const PUBLIC_CACHE = "public, max-age=30";

const queryText = z
  .string()
  .default("")
  .refine((q) => [...q].length <= MAX_QUERY_CHARACTERS, `at most ${MAX_QUERY_CHARACTERS} characters`)
  .openapi({ description: "What the shopper typed; empty browses.", example: "兰蔻 精华" });
const flag = z.enum(["true", "false"]).optional();

const SearchQuery = pageQuery
  .extend({
    q: queryText,
    type: z.enum(searchTypes).default("products"),
    sort: z
      .enum(sorts)
      .default("relevance")
      .openapi({ description: "Products: all; notes and live: relevance, newest." }),
    merchantId: z.string().max(64).optional(),
    creatorId: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "Notes by, or live sessions hosted by, a creator." }),
    topic: z.string().max(100).optional().openapi({ description: "Notes with this topic." }),
    category: z.string().max(100).optional(),
    brand: z.string().max(100).optional(),
    minPrice: z.coerce.number().int().min(0).optional().openapi({ description: "Minor units: a SKU at or above." }),
    maxPrice: z.coerce.number().int().min(0).optional().openapi({ description: "Minor units: a SKU at or below." }),
    inStock: flag,
    liveNow: flag.openapi({ description: "Live sessions on air; products on the shelf of one." }),
  })
  .strict();

const FacetSchema = z.object({ value: z.string(), count: z.number().int() });
const SearchHitSchema = z
  .object({
    id: z.string(),
    object: z.enum(["product", "note", "live_session"]),
    title: z.string(),
    highlight: z.object({
      title: z.string().openapi({ description: "The title, HTML-escaped, matches in <mark>…</mark>." }),
      snippet: z.string().openapi({ description: "About 64 characters of the text around the first match." }),
    }),
    score: z.number(),
  })
  .catchall(z.unknown())
  .openapi("SearchHit");

const SearchResultSchema = z
  .object({
    data: z.array(SearchHitSchema),
    nextCursor: z.string().nullable(),
    totalCount: z.number().int().openapi({
      description:
        "Every match, or, when totalIsExact is false, the first 1,000: a relevance search of products or notes without filters counts no further.",
    }),
    totalIsExact: z.boolean(),
    facets: z.record(z.string(), z.array(FacetSchema)).openapi({
      description:
        "Counts over every match: products category, brand; notes topic, creatorId; live status. A relevance search of products or notes without filters and with more than 500 matches ranks the 500 best text matches (titles first, then the most recently indexed) and counts these; a filter or another sort reaches every match.",
    }),
    query: z.object({
      q: z.string().openapi({ description: "The normalised query." }),
      terms: z.array(z.string()),
      corrections: z.record(z.string(), z.array(z.string())),
      synonyms: z.array(z.string()),
    }),
  })
  .openapi("SearchResult");

const searchRoute = route("GET /", "Search products, notes or live sessions", {
  description:
    "Chinese of any length (one character too), English words with prefixes and one typo, operator synonyms; filters, facets (products), sorts and cursor pages. Public; `Cache-Control: public, max-age=30`.",
  request: { query: SearchQuery },
  responses: {
    200: { description: "A page of results", content: { "application/json": { schema: SearchResultSchema } } },
    ...problemResponses(400),
  },
});

const SuggestionSchema = z
  .object({
    text: z.string(),
    kind: z.enum(["query", "product", "note", "live_session"]),
    id: z.string().optional(),
    highlight: z.string(),
  })
  .openapi("SearchSuggestion");

const suggestRoute = route(
  "GET /suggest",
  "Autocomplete: popular queries and titles of products, notes or live sessions",
  {
    description:
      "Queries (normalised) that at least `SUGGEST_MIN_SEARCHERS` (default 5) distinct searchers of the caller's storefront made and found something with in the last 7 days, then matching titles. Without a publishable key only titles. Nothing containing an operator-blocked term. `Cache-Control: public, max-age=30`; with a publishable key `private, max-age=30`.",
    request: {
      query: z
        .object({
          q: queryText,
          type: z.enum(searchTypes).default("products"),
          limit: z.coerce.number().int().min(1).max(20).default(8),
        })
        .strict(),
    },
    responses: {
      200: {
        description: "Suggestions",
        content: { "application/json": { schema: z.object({ data: z.array(SuggestionSchema) }) } },
      },
      ...problemResponses(400),
    },
  },
);

export const searchRoutes = createRouter<{ Bindings: Env }>();

const flagValue = (value: "true" | "false" | undefined) => (value === undefined ? undefined : value === "true");

searchRoutes.openapi(searchRoute, async (c) => {
  const query = c.req.valid("query");
  const db = database(c.env);
  const started = performance.now();
  const timing: SearchTiming = {};
  const result = await searchCatalog({
    db,
    timing,
    input: {
      q: query.q,
      type: query.type,
      sort: query.sort,
      limit: query.limit,
      cursor: query.cursor,
      filters: {
        merchantId: query.merchantId,
        creatorId: query.creatorId,
        topic: query.topic,
        category: query.category,
        brand: query.brand,
        minPrice: query.minPrice,
        maxPrice: query.maxPrice,
        inStock: flagValue(query.inStock),
        liveNow: flagValue(query.liveNow),
      },
    },
  });
  // Logged: first pages of queries with words in them (a query of only symbols is noise, not demand).
  if (result.query.terms.length > 0 && query.cursor === undefined) {
    const merchantIds = result.data.flatMap((hit) => (typeof hit.merchantId === "string" ? [hit.merchantId] : []));
    const address = c.req.header("cf-connecting-ip");
    c.executionCtx.waitUntil(
      searcherOf(principalOf(c), address).then((searcher) =>
        logQuery({
          db: database(c.env),
          query: result.query.q,
          type: query.type,
          resultCount: result.totalCount,
          merchantIds: query.type === "products" ? merchantIds : [],
          searcher,
        }),
      ),
    );
  }
  // A signed-in person's search teaches their discover feed the topics it names (shared/interests.ts).
  const { actor } = principalOf(c);
  const profile = profileIdOf(actor, null, undefined);
  if (profile && query.cursor === undefined && result.query.q) {
    learn(c.env, [searchSignalStatement(profile, result.query.q.split(/\s+/), new Date())]);
  }
  c.header("cache-control", PUBLIC_CACHE);
  // Where the time went, as the Worker's clock saw it (it moves with I/O, not with computation): the round trip,
  // a second one when the query needed it (synonyms, corrections, new weights), the whole search.
  const ms = (value: number) => value.toFixed(1);
  c.header(
    "server-timing",
    [
      `search-query;dur=${ms(timing.query ?? 0)}`,
      ...(timing.requery === undefined ? [] : [`search-requery;dur=${ms(timing.requery)}`]),
      `search;dur=${ms(performance.now() - started)}`,
    ].join(", "),
  );
  return c.json(result, 200);
});

/** SUGGEST_MIN_SEARCHERS from wrangler.toml; 5 when unset or not a positive whole number. */
function minSearchers(env: Env): number {
  const value = Number(env.SUGGEST_MIN_SEARCHERS);
  return Number.isInteger(value) && value >= 1 ? value : 5;
}

searchRoutes.openapi(suggestRoute, async (c) => {
  const { q, type, limit } = c.req.valid("query");
  const storefront = principalOf(c).storefront?.merchantId ?? null;
  // A storefront's suggestions are its own: the edge cache is keyed by URL alone, so they must not be stored there.
  c.header("cache-control", storefront ? "private, max-age=30" : PUBLIC_CACHE);
  const data = await suggest({ db: database(c.env), q, type, limit, storefront, minSearchers: minSearchers(c.env) });
  return c.json({ data }, 200);
});
