// Migration 0028: a merchant's full secret keys (every scope before it) get affiliates:read and affiliates:write;
// narrower keys, publishable keys and creator keys gain nothing. Run on a database migrated up to the one before it.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, expect, it } from "vitest";
import { migrationsFolder } from "../../../dev/database.ts";

const files = readdirSync(migrationsFolder)
  .filter((file) => file.endsWith(".sql"))
  .sort();
const grant = files.find((file) => file.startsWith("0028_"));
const statements = (file: string) =>
  readFileSync(path.join(migrationsFolder, file), "utf8")
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter(Boolean);

const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-migration-"));
const db = createClient({ url: `file:${path.join(dir, "test.db")}` });
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

it("grants affiliates:read and affiliates:write to full merchant secret keys only", async () => {
  expect(grant).toBeDefined();
  for (const file of files.slice(0, files.indexOf(grant as string))) {
    for (const statement of statements(file)) await db.execute(statement);
  }
  const full = [
    "catalog:write",
    "orders:read",
    "orders:write",
    "flash_sales:write",
    "presales:write",
    "webhooks:write",
    "analytics:read",
    "promotions:write",
    "api_keys:write",
  ];
  await db.execute(
    "INSERT INTO merchants (id, name, handle, created_at) VALUES ('mer_1', 'M', 'm', '2026-01-01T00:00:00.000Z')",
  );
  await db.execute(
    "INSERT INTO creators (id, name, handle, created_at) VALUES ('cre_1', 'C', 'c', '2026-01-01T00:00:00.000Z')",
  );
  const keys: [string, string, string | null, string | null, string[]][] = [
    ["key_full", "secret", "mer_1", null, full],
    ["key_narrow", "secret", "mer_1", null, ["orders:read"]],
    ["key_old_full", "secret", "mer_1", null, full.slice(0, -1)],
    ["key_pk", "publishable", "mer_1", null, []],
    ["key_creator", "secret", null, "cre_1", []],
  ];
  for (const [id, kind, merchantId, creatorId, scopes] of keys) {
    await db.execute({
      sql: `INSERT INTO api_keys (id, merchant_id, creator_id, kind, display_prefix, hash, scopes, allowed_origins,
              created_at) VALUES (?, ?, ?, ?, 'sk_test_…', ?, ?, '[]', '2026-01-01T00:00:00.000Z')`,
      args: [id, merchantId, creatorId, kind, `hash_${id}`, JSON.stringify(scopes)],
    });
  }
  for (const statement of statements(grant as string)) await db.execute(statement);
  // Applied twice, it changes nothing more.
  for (const statement of statements(grant as string)) await db.execute(statement);

  const scopesOf = async (id: string) =>
    JSON.parse(
      String((await db.execute({ sql: "SELECT scopes FROM api_keys WHERE id = ?", args: [id] })).rows[0]?.scopes),
    );
  expect(await scopesOf("key_full")).toEqual([...full, "affiliates:read", "affiliates:write"]);
  expect(await scopesOf("key_narrow")).toEqual(["orders:read"]);
  expect(await scopesOf("key_old_full")).toEqual(full.slice(0, -1));
  expect(await scopesOf("key_pk")).toEqual([]);
  expect(await scopesOf("key_creator")).toEqual([]);
});
