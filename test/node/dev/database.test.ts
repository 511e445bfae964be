// Migrations and the demo seed against the real libSQL server from the global setup.

import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { exportJWK, generateKeyPair, jwtVerify } from "jose";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect, migrateDatabase, targetFromEnv } from "../../../dev/database.ts";
import { allScopes, demo, demoId } from "../../../dev/demo.ts";
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

describe("the scripts' database target", () => {
  it("signs a token with the key npm start keeps in its data folder when no LIBSQL_* is set", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-target-"));
    try {
      const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
      await writeFile(path.join(dataDir, "libsql-auth-key.json"), JSON.stringify(await exportJWK(privateKey)));
      const target = await targetFromEnv({ ZHONGCAO_DATA_DIR: dataDir, LIBSQL_PORT: "28080" });
      expect(target.url).toBe("http://127.0.0.1:28080");
      const { payload } = await jwtVerify(target.authToken ?? "", publicKey, { algorithms: ["EdDSA"] });
      expect(payload.a).toBe("rw");
      expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
      // An explicit target is used as given, and a folder without a key gives no token.
      expect(await targetFromEnv({ LIBSQL_URL: "libsql://x.turso.io", LIBSQL_AUTH_TOKEN: "t" })).toEqual({
        url: "libsql://x.turso.io",
        authToken: "t",
      });
      expect((await targetFromEnv({ ZHONGCAO_DATA_DIR: path.join(dataDir, "none") })).authToken).toBeUndefined();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
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

  it("gives the demo secret keys every scope, also one added after they were first seeded", async () => {
    const id = demoId("key", 1);
    await db.run(sql`UPDATE api_keys SET scopes = '["orders:read"]' WHERE id = ${id}`);
    await seedDemoData(db);
    const [row] = await db.all<{ scopes: string }>(sql`SELECT scopes FROM api_keys WHERE id = ${id}`);
    expect(JSON.parse(row?.scopes ?? "[]")).toEqual(allScopes);
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
