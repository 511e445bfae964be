// Migrations and the demo seed against the real libSQL server from the global setup.

import { readdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect, migrateDatabase } from "../../../dev/database.ts";
import { demo } from "../../../dev/demo.ts";
import { seedDemoData } from "../../../dev/seed-data.ts";

const db = connect({ url: inject("libsqlUrl"), authToken: inject("libsqlAuthToken") });
afterAll(() => db.$client.close());

async function count(table: string): Promise<number> {
  const rows = await db.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`));
  return Number(rows[0]?.n);
}

describe("db:migrate", () => {
  it("applies each migration once, however often it runs", async () => {
    const files = readdirSync(new URL("../../../migrations", import.meta.url)).filter((f) => f.endsWith(".sql"));
    await migrateDatabase(db);
    await migrateDatabase(db);
    expect(await count("__drizzle_migrations")).toBe(files.length);
  });
});

describe("the demo seed", () => {
  it("is idempotent: a second run adds nothing", async () => {
    const tables = [
      "merchants",
      "creators",
      "api_keys",
      "products",
      "skus",
      "inventory_ledger",
      "notes",
      "note_products",
      "live_sessions",
      "flash_sales",
    ];
    const before = await Promise.all(tables.map(count));
    await seedDemoData(db);
    expect(await Promise.all(tables.map(count))).toEqual(before);
    expect(before[tables.indexOf("products")]).toBeGreaterThanOrEqual(demo.products.length);
  });

  it("explains every SKU's stock by its inventory ledger", async () => {
    const mismatches = await db.all(
      sql.raw(`SELECT s.id, s.stock, coalesce(sum(l.delta), 0) AS ledger FROM skus s
               LEFT JOIN inventory_ledger l ON l.sku_id = s.id GROUP BY s.id HAVING s.stock != ledger`),
    );
    expect(mismatches).toEqual([]);
  });

  it("stores API keys only as hashes", async () => {
    const credentials = await seedDemoData(db);
    const stored = await db.all<{ hash: string; display_prefix: string }>(
      sql.raw("SELECT hash, display_prefix FROM api_keys"),
    );
    const secret = credentials.merchants[0]?.secretKey ?? "";
    expect(stored.some((k) => k.hash.includes(secret) || k.display_prefix === secret)).toBe(false);
    expect(stored.every((k) => /^[0-9a-f]{64}$/.test(k.hash))).toBe(true);
  });
});
