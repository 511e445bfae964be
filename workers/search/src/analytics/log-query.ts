// logQuery: counts a search in the day's analytics (normalised query, type, zero results), for each merchant whose
// products were on the first page an impression of that query, and, when the query found something, its searcher
// among the storefront's (suggest.ts offers a query only once enough distinct searchers made it). Called after the
// response is sent.

import { addressKey } from "#shared/address.ts";
import { sha256Hex } from "#shared/crypto.ts";
import type { Database } from "#shared/db.ts";
import { log } from "#shared/log.ts";
import type { Principal } from "#shared/principal.ts";

/** The storefront a search counts for and who made it; null when either is unknown (such a search is not tracked). */
export interface Searcher {
  storefront: string;
  searcher: string;
}

/**
 * A signed-in shopper or creator by their id; anyone else by a hash of their address (CF-Connecting-IP, which
 * Cloudflare sets and the gateway passes on), salted with the storefront so the same address is unlinkable
 * across storefronts and the table never holds an address.
 */
export async function searcherOf(principal: Principal, address: string | undefined): Promise<Searcher | null> {
  const storefront = principal.storefront?.merchantId;
  if (!storefront) return null;
  const { actor } = principal;
  if (actor.type === "shopper") return { storefront, searcher: actor.shopperId };
  if (actor.type === "creator") return { storefront, searcher: actor.creatorId };
  if (!address) return null;
  const hash = await sha256Hex(`zhongcao-searcher\n${storefront}\n${addressKey(address)}`);
  return { storefront, searcher: `ip_${hash.slice(0, 32)}` };
}

/** Searcher rows older than suggestions look back (7 days, plus a day's slack) are dropped now and then. */
const PRUNE_AFTER_DAYS = 8;
const PRUNE_CHANCE = 0.01;

export async function logQuery({
  db,
  query,
  type,
  resultCount,
  merchantIds,
  searcher = null,
  now = new Date(),
}: {
  db: Database;
  query: string;
  type: string;
  resultCount: number;
  merchantIds: string[];
  searcher?: Searcher | null;
  now?: Date;
}): Promise<void> {
  const day = now.toISOString().slice(0, 10);
  // Only queries that found something can become suggestions, so only those are tracked per searcher.
  const tracked = searcher !== null && resultCount > 0;
  const prune = tracked && Math.random() < PRUNE_CHANCE;
  try {
    await db.$client.batch(
      [
        {
          sql: `INSERT INTO search_query_stats (day, type, query, searches, zero_results, last_result_count)
                VALUES (?, ?, ?, 1, ?, ?)
                ON CONFLICT (day, type, query) DO UPDATE SET searches = searches + 1,
                  zero_results = zero_results + excluded.zero_results, last_result_count = excluded.last_result_count`,
          args: [day, type, query, resultCount === 0 ? 1 : 0, resultCount],
        },
        ...[...new Set(merchantIds)].map((merchantId) => ({
          sql: `INSERT INTO search_query_merchants (day, merchant_id, query, impressions) VALUES (?, ?, ?, 1)
                ON CONFLICT (day, merchant_id, query) DO UPDATE SET impressions = impressions + 1`,
          args: [day, merchantId, query],
        })),
        ...(tracked
          ? [
              {
                sql: `INSERT INTO search_query_searchers (storefront, type, query, day, searcher) VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT DO NOTHING`,
                args: [searcher.storefront, type, query, day, searcher.searcher],
              },
            ]
          : []),
        ...(prune
          ? [
              {
                sql: "DELETE FROM search_query_searchers WHERE day < ?",
                args: [new Date(now.getTime() - PRUNE_AFTER_DAYS * 86_400_000).toISOString().slice(0, 10)],
              },
            ]
          : []),
      ],
      "write",
    );
  } catch (err) {
    // Analytics must never fail a search: a lost count is logged and forgotten.
    log("warn", "search query not logged", { error: err instanceof Error ? err.message : String(err) });
  }
}
