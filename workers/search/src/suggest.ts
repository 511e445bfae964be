// suggest: what to offer while the shopper types: popular queries of the last 7 days that start with the text
// (and found something), then the best-matching product titles.
import type { Database } from "../../../shared/db.ts";
import { highlight } from "./highlight.ts";
import { normaliseQuery } from "./query.ts";
import { searchCatalog } from "./search.ts";

export interface Suggestion {
  text: string;
  kind: "query" | "product";
  id?: string;
  highlight: string;
}

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function suggest({ db, q, limit }: { db: Database; q: string; limit: number }): Promise<Suggestion[]> {
  const text = normaliseQuery(q);
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const [popular, titles] = await Promise.all([
    db.$client.execute({
      sql: `SELECT query FROM search_query_stats WHERE day >= ? AND query LIKE ? ESCAPE '\\'
            GROUP BY query HAVING sum(searches) > sum(zero_results) ORDER BY sum(searches) DESC, query LIMIT ?`,
      args: [since, likePrefix(text), limit],
    }),
    text
      ? searchCatalog({ db, input: { q: text, type: "products", sort: "relevance", limit, filters: {} } })
      : Promise.resolve(null),
  ]);
  const queries: Suggestion[] = popular.rows
    .map((row) => String(row.query))
    .filter((query) => query !== text)
    .map((query) => ({ text: query, kind: "query", highlight: highlight(query, text ? [text] : []) }));
  const products: Suggestion[] = (titles?.data ?? []).map((hit) => ({
    text: hit.title,
    kind: "product",
    id: hit.id,
    highlight: hit.highlight.title,
  }));
  // Half the list for queries at most, so titles always show; then fill up with whatever is left.
  const firstQueries = queries.slice(0, Math.ceil(limit / 2));
  return [...firstQueries, ...products, ...queries.slice(firstQueries.length)].slice(0, limit);
}
