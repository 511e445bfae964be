// The test bed of a migration that grants scopes to existing API keys: a file database migrated up to the one
// before it, a merchant (mer_1), a creator (cre_1), the keys under test with the scopes they held then, and keys that
// must gain nothing (a narrower secret key, a publishable key, a creator's key); the migration itself, applied twice
// (the second time must change nothing); and the scopes a key holds after.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, expect } from "vitest";
import { migrationsFolder } from "../../../dev/database.ts";

/** [id, kind, merchantId, creatorId, scopes] */
export type KeyRow = [string, "secret" | "publishable", string | null, string | null, string[]];

const bystanders: KeyRow[] = [
  ["key_narrow", "secret", "mer_1", null, ["orders:read"]],
  ["key_pk", "publishable", "mer_1", null, []],
  ["key_creator", "secret", null, "cre_1", []],
];

const files = readdirSync(migrationsFolder)
  .filter((file) => file.endsWith(".sql"))
  .sort();
const statements = (file: string) =>
  readFileSync(path.join(migrationsFolder, file), "utf8")
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter(Boolean);

/** Call at a test file's top level: the database is removed after the file's tests. */
export async function scopeMigration(number: string) {
  const migration = files.find((file) => file.startsWith(`${number}_`));
  if (!migration) throw new Error(`no migration ${number} in ${migrationsFolder}`);
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-migration-"));
  const db = createClient({ url: `file:${path.join(dir, "test.db")}` });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (file: string) => {
    for (const statement of statements(file)) await db.execute(statement);
  };
  return {
    /** Migrates up to the one before, adds mer_1, cre_1, the keys and the bystanders, then runs the migration twice. */
    async grantTo(keys: KeyRow[]) {
      for (const file of files.slice(0, files.indexOf(migration))) await run(file);
      await db.execute(
        "INSERT INTO merchants (id, name, handle, created_at) VALUES ('mer_1', 'M', 'm', '2026-01-01T00:00:00.000Z')",
      );
      await db.execute(
        "INSERT INTO creators (id, name, handle, created_at) VALUES ('cre_1', 'C', 'c', '2026-01-01T00:00:00.000Z')",
      );
      for (const [id, kind, merchantId, creatorId, scopes] of [...keys, ...bystanders]) {
        await db.execute({
          sql: `INSERT INTO api_keys (id, merchant_id, creator_id, kind, display_prefix, hash, scopes, allowed_origins,
              created_at) VALUES (?, ?, ?, ?, 'sk_test_…', ?, ?, '[]', '2026-01-01T00:00:00.000Z')`,
          args: [id, merchantId, creatorId, kind, `hash_${id}`, JSON.stringify(scopes)],
        });
      }
      await run(migration);
      await run(migration);
    },
    async scopesOf(id: string): Promise<string[]> {
      const { rows } = await db.execute({ sql: "SELECT scopes FROM api_keys WHERE id = ?", args: [id] });
      return JSON.parse(String(rows[0]?.scopes));
    },
    /** The narrower secret key, the publishable key and the creator's key hold what they held. */
    async expectBystandersUnchanged() {
      for (const [id, , , , scopes] of bystanders) expect(await this.scopesOf(id), id).toEqual(scopes);
    },
  };
}
