// `npm run bench -- forget`: the catalog Worker's forgetting of stale feed memory (workers/catalog/src/feed/forget.ts)
// on the local libSQL server, over the project's migrated schema: what the `feed_seen_age` index costs a feed page's
// write, how fast a backlog of stale rows goes, and what a run with nothing stale costs. Baseline, same run: the
// same database with that index dropped, where each `DELETE` finds its rows by scanning the table.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { database } from "#shared/db.ts";
import { SEEN_MS } from "#shared/interests.ts";
import { connect, migrateDatabase } from "../dev/database.ts";
import { spawnLibsqlServer } from "../dev/libsql-server/spawn.ts";
import { forgetStale } from "../workers/catalog/src/feed/forget.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const ROWS = Number(process.env.BENCH_FORGET_ROWS ?? 400_000);
const BATCH = 5_000;
const PROFILES = 20_000;
const PAGES = 2_000;
const DAY_MS = 86_400_000;

/** One database, with or without the index: a page write, a batch forgotten, a run with nothing stale. */
async function run(indexed: boolean): Promise<Record<"pageWrite" | "forgetBatch" | "nothingStale", Row>> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-forget-"));
  const server = await spawnLibsqlServer({ dbPath: path.join(dir, "bench.db") });
  const node = connect({ url: server.url });
  try {
    await migrateDatabase(node);
    if (!indexed) await node.$client.execute("DROP INDEX feed_seen_age");
    const now = Date.now();
    // Every other row stale (4 to 10 days old), the rest within the window, spread over guests' profiles; written
    // in time order, as the feed writes them.
    for (let start = 0; start < ROWS; start += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, ROWS - start) }, (_, k) => {
        const i = start + k;
        const age = i % 2 === 0 ? 4 * DAY_MS + (i % 1000) * 500_000 : (i % 1000) * 250_000;
        return [`visitor:pk_bench:${i % PROFILES}`, `note_${i}`, new Date(now - age).toISOString()];
      });
      await node.$client.execute({
        sql: `INSERT INTO feed_seen (profile_id, note_id, seen_at)
              SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`,
        args: [JSON.stringify(rows)],
      });
    }
    // A page of the discover feed writes behind the 20 notes it showed (workers/catalog/src/feed/personal.ts).
    const pageWrite = summarise(
      await measure(`feed page write (20 rows)${indexed ? "" : ", no age index"}`, 1, PAGES, (_, p) =>
        node.$client.execute({
          sql: `INSERT INTO feed_seen (profile_id, note_id, seen_at) SELECT :p, value, :at FROM json_each(:ids) WHERE true
                ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at`,
          args: {
            p: `shp_bench_${p % 500}`,
            at: new Date().toISOString(),
            ids: JSON.stringify(Array.from({ length: 20 }, (_, k) => `note_page_${p}_${k}`)),
          },
        }),
      ),
    );
    const db = database({ LIBSQL_URL: server.url });
    // One batch of each table per call (budget 0): the backlog of ROWS / 2 stale rows, then runs with none left.
    const forgetBatch = summarise(
      await measure(
        `forget a batch of ${BATCH.toLocaleString("en-US")}${indexed ? "" : ", no age index"}`,
        1,
        ROWS / 2 / BATCH,
        () => forgetStale(db, { batch: BATCH, budgetMs: 0 }),
      ),
    );
    const left = await node.$client.execute({
      sql: "SELECT count(*) AS n FROM feed_seen WHERE seen_at < ?",
      args: [new Date(Date.now() - SEEN_MS).toISOString()],
    });
    if (Number(left.rows[0]?.n) !== 0) throw new Error(`${left.rows[0]?.n} stale rows left after the backlog`);
    const nothingStale = summarise(
      await measure(`a run with nothing stale${indexed ? "" : ", no age index"}`, 1, 50, () => forgetStale(db)),
    );
    db.$client.close();
    return { pageWrite, forgetBatch, nothingStale };
  } finally {
    node.$client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchForget(): Promise<string> {
  const baseline = await run(false);
  const measured = await run(true);
  return [
    "## forget: the feed's forgetting of stale memory, with and without its timestamp index",
    "",
    `\`feed_seen\` with ${ROWS.toLocaleString("en-US")} rows over ${PROFILES.toLocaleString("en-US")} guests' profiles, every other one stale, in the migrated schema on the local libSQL server (WAL); one client. ${PAGES.toLocaleString("en-US")} feed-page writes; then \`forgetStale\` one batch of ${BATCH.toLocaleString("en-US")} per call until the ${(ROWS / 2).toLocaleString("en-US")} stale rows are gone (req/s is batches a second); then 50 runs with nothing stale left, each a \`DELETE\` that holds the write lock while it looks. Baseline: the same with \`feed_seen_age\` dropped.`,
    "",
    table([
      { row: measured.pageWrite, baseline: baseline.pageWrite },
      { row: measured.forgetBatch, baseline: baseline.forgetBatch },
      { row: measured.nothingStale, baseline: baseline.nothingStale },
    ]),
  ].join("\n");
}
