// The schema in shared/schema/ and the migrations in migrations/ describe the same database: drizzle-kit, run as
// `npm run db:generate` runs it but against a copy of migrations/, finds nothing to migrate. A schema edit without
// its migration (or a refactor that changes the SQL) fails here instead of at the next deploy.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import config from "../../../drizzle.config.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "zhongcao-schema-"));
  await cp(path.join(root, config.out ?? "migrations"), path.join(dir, "migrations"), { recursive: true });
  // drizzle-kit resolves `out` against its working directory, so it runs in the copy's folder.
  const schema = path.resolve(root, String(config.schema));
  await writeFile(
    path.join(dir, "drizzle.config.json"),
    JSON.stringify({ dialect: config.dialect, schema, out: "./migrations" }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the schema", () => {
  it("matches the migrations: drizzle-kit generate has nothing to write", async () => {
    const before = await readdir(path.join(dir, "migrations"), { recursive: true });
    const bin = path.join(root, "node_modules/drizzle-kit/bin.cjs");
    const { stdout } = await run(process.execPath, [bin, "generate", "--config=drizzle.config.json"], {
      cwd: dir,
      timeout: 30_000,
    });
    expect(stdout).toContain("No schema changes");
    expect((await readdir(path.join(dir, "migrations"), { recursive: true })).sort()).toEqual(before.sort());
  });
});
