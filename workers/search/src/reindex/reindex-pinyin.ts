// reindexPinyin: fills the title pinyin of rows written before the index had it (search_pinyin IS NULL), one batch
// per call. A migration cannot run pinyin-pro, so the operator calls POST /v1/search/reindex until nothing remains;
// each row's update re-indexes its document through the index triggers, in the same transaction.
import type { Database } from "#shared/db.ts";
import { searchPinyin } from "#shared/pinyin.ts";

const tables = ["products", "notes", "live_sessions"] as const;

export async function reindexPinyin({ db, limit }: { db: Database; limit: number }) {
  const pending = await db.$client.batch(
    tables.map((table) => ({
      sql: `SELECT id, title FROM ${table} WHERE search_pinyin IS NULL LIMIT ?`,
      args: [limit],
    })),
    "read",
  );
  const updates = tables.flatMap((table, i) =>
    (pending[i]?.rows ?? []).map((row) => ({
      sql: `UPDATE ${table} SET search_pinyin = ? WHERE id = ? AND search_pinyin IS NULL`,
      args: [searchPinyin(String(row.title)), String(row.id)],
    })),
  );
  if (updates.length > 0) await db.$client.batch(updates, "write");
  const { rows } = await db.$client.execute(
    `SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table} WHERE search_pinyin IS NULL)`).join(" + ")} AS remaining`,
  );
  return { updated: updates.length, remaining: Number(rows[0]?.remaining ?? 0) };
}
