// `npm run bench -- db`: the local libSQL server through @libsql/client (point reads, single-row inserts; 1 and 32
// concurrent clients) beside the in-process `libsql` engine on the same file, the floor any server adds to.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import Database from "libsql";
import { spawnLibsqlServer } from "../dev/libsql-server/spawn.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const rowsInTable = 10_000;
const opsPerRun = Number(process.env.BENCH_DB_OPS ?? 4000);

export async function benchDb(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-db-"));
  const dbPath = path.join(dir, "bench.db");
  const local = new Database(dbPath);
  // The same settings the server gives its connections (dev/libsql-server/engine.ts), so the baseline is fair.
  local.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
  local.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, stock INTEGER NOT NULL)");
  const fill = local.prepare("INSERT INTO items (id, sku, stock) VALUES (?, ?, ?)");
  local.exec("BEGIN");
  for (let i = 1; i <= rowsInTable; i++) fill.run(i, `sku_${i}`, 100);
  local.exec("COMMIT");

  const server = await spawnLibsqlServer({ dbPath });
  try {
    // Baseline: the same statements on the engine in this process, no network, no protocol.
    const read = local.prepare("SELECT id, sku, stock FROM items WHERE id = ?");
    const insert = local.prepare("INSERT INTO items (sku, stock) VALUES (?, ?)");
    await measure("warm-up", 1, 500, (_, i) => read.get((i % rowsInTable) + 1));
    const baseRead = summarise(
      await measure("in-process point read", 1, opsPerRun, (_, i) => read.get((i % rowsInTable) + 1)),
    );
    const baseInsert = summarise(await measure("in-process insert", 1, opsPerRun, (_, i) => insert.run(`new_${i}`, 1)));

    const rows: { row: Row; baseline: Row }[] = [];
    for (const clients of [1, 32]) {
      const pool = Array.from({ length: clients }, () => createClient({ url: server.url }));
      const pointRead = (c: number, i: number) =>
        pool[c]?.execute({ sql: "SELECT id, sku, stock FROM items WHERE id = ?", args: [(i % rowsInTable) + 1] });
      // Warm up (connections, JIT, the server's statement cache) before anything is counted.
      await measure("warm-up", clients, 500, pointRead);
      const reads = await measure(`server point read`, clients, opsPerRun, pointRead);
      rows.push({ row: summarise(reads), baseline: baseRead });
      const inserts = await measure(`server insert`, clients, opsPerRun, (c, i) =>
        pool[c]?.execute({ sql: "INSERT INTO items (sku, stock) VALUES (?, ?)", args: [`c${clients}_${i}`, 1] }),
      );
      rows.push({ row: summarise(inserts), baseline: baseInsert });
      for (const c of pool) c.close();
    }
    return [
      "## db: local libSQL server vs in-process libsql",
      "",
      `${opsPerRun} operations per row, a ${rowsInTable}-row table, WAL, same file for both; the server in its own process over HTTP (Hrana v2), the clients in this one.`,
      "",
      table(rows),
    ].join("\n");
  } finally {
    local.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
