// logQuery: counts a search in the day's analytics (normalised query, type, zero results), and for each merchant
// whose products were on the first page, an impression of that query. Called after the response is sent.
import type { Database } from "#shared/db.ts";
import { log } from "#shared/log.ts";

export async function logQuery({
  db,
  query,
  type,
  resultCount,
  merchantIds,
  now = new Date(),
}: {
  db: Database;
  query: string;
  type: string;
  resultCount: number;
  merchantIds: string[];
  now?: Date;
}): Promise<void> {
  const day = now.toISOString().slice(0, 10);
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
      ],
      "write",
    );
  } catch (err) {
    // Analytics must never fail a search: a lost count is logged and forgotten.
    log("warn", "search query not logged", { error: err instanceof Error ? err.message : String(err) });
  }
}
