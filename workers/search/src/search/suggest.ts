// suggest: what to offer while the shopper types: popular queries of the last 7 days that start with the text
// (and found something) for that type of result, then the best-matching titles of that type.
import type { Database } from "#shared/db.ts";
import { highlight } from "./highlight.ts";
import { normaliseQuery } from "./query.ts";
import { type SearchType, searchCatalog } from "./search.ts";

export interface Suggestion {
  text: string;
  kind: "query" | "product" | "note" | "live_session";
  id?: string;
  highlight: string;
}

const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function suggest({
  db,
  q,
  type,
  limit,
}: {
  db: Database;
  q: string;
  type: SearchType;
  limit: number;
}): Promise<Suggestion[]> {
  const text = normaliseQuery(q);
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const [popular, titles] = await Promise.all([
    db.$client.execute({
      sql: `SELECT query FROM search_query_stats WHERE day >= ? AND type = ? AND query LIKE ? ESCAPE '\\'
            GROUP BY query HAVING sum(searches) > sum(zero_results) ORDER BY sum(searches) DESC, query LIMIT ?`,
      args: [since, type, likePrefix(text), limit],
    }),
    text
      ? searchCatalog({ db, input: { q: text, type, sort: "relevance", limit, filters: {} } })
      : Promise.resolve(null),
  ]);
  const queries: Suggestion[] = popular.rows
    .map((row) => String(row.query))
    .filter((query) => query !== text)
    .map((query) => ({ text: query, kind: "query", highlight: highlight(query, text ? [text] : []) }));
  const found: Suggestion[] = (titles?.data ?? []).map((hit) => ({
    text: hit.title,
    kind: hit.object,
    id: hit.id,
    highlight: hit.highlight.title,
  }));
  // Half the list for queries at most, so titles always show; then fill up with whatever is left.
  const firstQueries = queries.slice(0, Math.ceil(limit / 2));
  return [...firstQueries, ...found, ...queries.slice(firstQueries.length)].slice(0, limit);
}
