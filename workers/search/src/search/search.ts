// searchCatalog: one search, in one read round trip when the lookups (weights, synonyms, typo candidates) change
// nothing in the main statement (statement.ts), built from the query plan (plan.ts); a second only when they do.
// Here: what a search takes and returns, its cursor, and the hits assembled from the statement's page.
import type { InStatement, Row } from "@libsql/client";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { decodeJsonCursor, encodeJsonCursor } from "#shared/pagination.ts";
import { type CampaignPeriods, campaignPeriod } from "#shared/pricing.ts";
import { defaultRanking, type Ranking } from "../settings/ranking.ts";
import { highlight, snippet } from "./highlight.ts";
import { analyse, foundIn, parseJson, planFrom } from "./plan.ts";
import { COUNT_BOUND, facetColumns, mainStatement, windowed } from "./statement.ts";

export const searchTypes = ["products", "notes", "live"] as const;
export type SearchType = (typeof searchTypes)[number];
export const sorts = ["relevance", "price_asc", "price_desc", "sales", "newest"] as const;
export type Sort = (typeof sorts)[number];

export interface SearchFilters {
  merchantId?: string | undefined;
  creatorId?: string | undefined;
  topic?: string | undefined;
  category?: string | undefined;
  brand?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
  liveNow?: boolean | undefined;
}

export interface SearchInput {
  q: string;
  type: SearchType;
  filters: SearchFilters;
  sort: Sort;
  limit: number;
  cursor?: string | undefined;
}

/** What each type may be filtered and sorted by; anything else is a 400 rather than silently ignored. */
const allowed: Record<SearchType, { filters: (keyof SearchFilters)[]; sorts: Sort[] }> = {
  products: {
    filters: ["merchantId", "category", "brand", "minPrice", "maxPrice", "inStock", "liveNow"],
    sorts: ["relevance", "price_asc", "price_desc", "sales", "newest"],
  },
  notes: { filters: ["creatorId", "topic"], sorts: ["relevance", "newest"] },
  live: { filters: ["merchantId", "creatorId", "liveNow"], sorts: ["relevance", "newest"] },
};

export interface Facet {
  value: string;
  count: number;
}

export interface SearchHit {
  id: string;
  object: "product" | "note" | "live_session";
  title: string;
  highlight: { title: string; snippet: string };
  score: number;
  [field: string]: unknown;
}

export interface SearchResult {
  data: SearchHit[];
  nextCursor: string | null;
  totalCount: number;
  /** False when totalCount stopped at COUNT_BOUND (an unfiltered relevance search counts no further). */
  totalIsExact: boolean;
  /** Products: category, brand; notes: topic, creatorId; live: status. */
  facets: Record<string, Facet[]>;
  query: { q: string; terms: string[]; corrections: Record<string, string[]>; synonyms: string[] };
}

export interface Cursor {
  s: Sort;
  v: number | string;
  id: string;
  t: string;
}

function decodeCursor(raw: string, sort: Sort): Cursor {
  return decodeJsonCursor(
    raw,
    ({ s, v, id, t }) =>
      s === sort &&
      (typeof v === "number" || typeof v === "string") &&
      typeof id === "string" &&
      typeof t === "string" &&
      !Number.isNaN(Date.parse(t))
        ? { s: sort, v, id, t }
        : undefined,
    "The cursor is not one this search returned (or was for another sort).",
  );
}

function checkAllowed(input: SearchInput): void {
  const rules = allowed[input.type];
  const errors = Object.entries(input.filters)
    .filter(([name, value]) => value !== undefined && !rules.filters.includes(name as keyof SearchFilters))
    .map(([name]) => ({ path: `/${name}`, message: `not a filter for type=${input.type}` }));
  if (!rules.sorts.includes(input.sort)) {
    errors.push({ path: "/sort", message: `type=${input.type} sorts by ${rules.sorts.join(", ")}` });
  }
  const { minPrice, maxPrice } = input.filters;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    errors.push({ path: "/minPrice", message: "must not be above maxPrice" });
  }
  if (errors.length > 0) {
    throw new ProblemError("validation_failed", "The search has filters or a sort its type does not have.", { errors });
  }
}

interface RawItem {
  id: string;
  title: string;
  body: string;
  score: number;
  sortValue: number | string;
  [field: string]: unknown;
}

/** Milliseconds of the database round trips, as the Worker saw them (for a Server-Timing header). */
export interface SearchTiming {
  /** The round trip every search makes: the planning statements and the main statement in one batch. */
  query?: number;
  /** A second round trip, made only when the plan finds what the main statement was built without: synonyms, typo
   *  corrections, or weights changed since the last search. */
  requery?: number;
}

const sameStatement = (a: InStatement, b: InStatement | null) => b !== null && JSON.stringify(a) === JSON.stringify(b);

/** The weights the last search in this isolate read: the next search's main statement is built with them, in the
 *  same batch as the statement that reads them again. */
let lastRanking: Ranking = defaultRanking;

/**
 * One search in one database round trip when the query needs nothing the plan reads: the planning statements
 * (weights, synonyms, typo candidates) and the main statement built as if they found nothing new go in one batch.
 * When the plan finds synonyms, corrections or new weights, the main statement is built again and run (a second
 * round trip).
 */
export async function searchCatalog({
  db,
  input,
  timing = {},
}: {
  db: Database;
  input: SearchInput;
  timing?: SearchTiming;
}): Promise<SearchResult> {
  checkAllowed(input);
  const cursor = input.cursor !== undefined ? decodeCursor(input.cursor, input.sort) : undefined;
  const now = cursor?.t ?? new Date().toISOString();
  const analysis = analyse(input.q);
  const guessed = mainStatement(
    planFrom(analysis, { ranking: lastRanking, synonymsOf: new Map(), corrections: {} }),
    input,
    cursor,
    now,
  );
  let started = performance.now();
  const results = await db.$client.batch([...analysis.statements, ...(guessed ? [guessed] : [])], "read");
  timing.query = performance.now() - started;
  const found = foundIn(analysis, results);
  lastRanking = found.ranking;
  const p = planFrom(analysis, found);
  const statement = mainStatement(p, input, cursor, now);
  let row: Row | undefined;
  if (statement && sameStatement(statement, guessed)) row = results.at(-1)?.rows[0];
  else if (statement) {
    started = performance.now();
    row = (await db.$client.execute(statement)).rows[0];
    timing.requery = performance.now() - started;
  }
  const facetNames = Object.keys(facetColumns[input.type]);
  const total = Number(row?.total ?? 0);
  const items = (parseJson(row?.page) ?? []) as RawItem[];
  const facetLists = parseJson(row?.facets) as Facet[][] | undefined;
  const pageItems = items.slice(0, input.limit);
  const last = pageItems.at(-1);
  return {
    data: pageItems.map((item) => toHit(input.type, item, p.needles)),
    nextCursor:
      items.length > input.limit && last
        ? encodeJsonCursor({ s: input.sort, v: last.sortValue, id: last.id, t: now } satisfies Cursor)
        : null,
    totalCount: Math.min(total, windowed(input) ? COUNT_BOUND : total),
    totalIsExact: !windowed(input) || total <= COUNT_BOUND,
    facets: Object.fromEntries(facetNames.map((name, i) => [name, facetLists?.[i] ?? []])),
    query: { q: p.q, terms: p.terms.map((t) => t.text), corrections: p.corrections, synonyms: p.synonyms },
  };
}

function toHit(type: SearchType, item: RawItem, needles: string[]): SearchHit {
  const { title, body, score, sortValue: _sortValue, ...rest } = item;
  const marked = { title: highlight(title, needles), snippet: snippet(body, needles) };
  if (type === "products") {
    const { price, maxPrice, currency, inStock, liveNow, campaign, ...fields } = rest;
    const c = campaign as (CampaignPeriods & { id: string; name: string; badge: string }) | null;
    return {
      ...fields,
      id: item.id,
      object: "product",
      title,
      highlight: marked,
      score,
      price: { amount: price, currency },
      maxPrice: { amount: maxPrice, currency },
      inStock: inStock === 1,
      liveNow: liveNow === 1,
      campaign: c && { id: c.id, name: c.name, badge: c.badge, period: campaignPeriod(c, new Date().toISOString()) },
    };
  }
  if (type === "notes") return { ...rest, id: item.id, object: "note", title, highlight: marked, score };
  return { ...rest, id: item.id, object: "live_session", title, highlight: marked, score, liveNow: rest.liveNow === 1 };
}
