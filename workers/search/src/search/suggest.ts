// suggest: what to offer while the shopper types: queries that start with the text and that at least
// `minSearchers` distinct searchers of this storefront made (and found something with) in the last 7 days, then
// the best-matching titles of that type. One person searching a phrase again and again, or searching it through
// another storefront, cannot put it in front of shoppers; an operator-blocked term is never offered at all.
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
  storefront,
  minSearchers,
}: {
  db: Database;
  q: string;
  type: SearchType;
  limit: number;
  /** The storefront's merchant id; without one no queries are offered, only titles. */
  storefront: string | null;
  minSearchers: number;
}): Promise<Suggestion[]> {
  const text = normaliseQuery(q);
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const blockList = { sql: "SELECT term FROM search_suggestion_blocks", args: [] };
  // The popular queries and the block list in one round trip; the titles' search beside it.
  const [[blocks, popular], titles] = await Promise.all([
    db.$client.batch(
      storefront
        ? [
            blockList,
            {
              sql: `SELECT query FROM search_query_searchers s
                    WHERE storefront = ? AND type = ? AND query LIKE ? ESCAPE '\\' AND day >= ?
                      AND NOT EXISTS (SELECT 1 FROM search_suggestion_blocks b WHERE instr(s.query, b.term) > 0)
                    GROUP BY query HAVING count(DISTINCT searcher) >= ?
                    ORDER BY count(DISTINCT searcher) DESC, query LIMIT ?`,
              args: [storefront, type, likePrefix(text), since, minSearchers, limit + 1],
            },
          ]
        : [blockList],
      "read",
    ),
    text
      ? searchCatalog({ db, input: { q: text, type, sort: "relevance", limit, filters: {} } })
      : Promise.resolve(null),
  ]);
  const blocked = (blocks?.rows ?? []).map((row) => String(row.term));
  const allowed = (shown: string) => {
    const normalised = normaliseQuery(shown);
    return !blocked.some((term) => normalised.includes(term));
  };
  const queries: Suggestion[] = (popular?.rows ?? [])
    .map((row) => String(row.query))
    .filter((query) => query !== text)
    .map((query) => ({ text: query, kind: "query", highlight: highlight(query, text ? [text] : []) }));
  const found: Suggestion[] = (titles?.data ?? [])
    .filter((hit) => allowed(hit.title))
    .map((hit) => ({ text: hit.title, kind: hit.object, id: hit.id, highlight: hit.highlight.title }));
  // Half the list for queries at most, so titles always show; then fill up with whatever is left.
  const firstQueries = queries.slice(0, Math.ceil(limit / 2));
  return [...firstQueries, ...found, ...queries.slice(firstQueries.length)].slice(0, limit);
}
