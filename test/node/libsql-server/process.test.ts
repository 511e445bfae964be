// The CLI as a child process: ready line, graceful shutdown, restart durability, crash safety.
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { createClient } from "@libsql/client";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import Database from "libsql";
import { afterEach, describe, expect, it } from "vitest";
import type { SpawnedLibsqlServer } from "../../../dev/libsql-server/spawn.ts";
import { spawnLibsqlServer } from "../../../dev/libsql-server/spawn.ts";
import { tempDir } from "./helpers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function spawnServer(dbPath: string): Promise<{ server: SpawnedLibsqlServer; db: Client }> {
  const server = await spawnLibsqlServer({ dbPath });
  const db = createClient({ url: server.url });
  cleanups.push(
    () => server.stop("SIGKILL"),
    () => db.close(),
  );
  return { server, db };
}

describe("libsql server process", () => {
  it("prints the actual port for --port 0, creates the db folder, exits 0 on SIGTERM and keeps data across restarts", async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, "nested", "folder", "zhongcao.db");
    const first = await spawnServer(dbPath);
    expect(first.server.port).toBeGreaterThan(0);
    expect(first.server.url).toBe(`http://127.0.0.1:${first.server.port}`);
    expect((await fetch(`${first.server.url}/health`)).status).toBe(200);
    await first.db.batch(
      ["CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)", "INSERT INTO notes (title) VALUES ('兰蔻小黑瓶 🖤')"],
      "write",
    );
    // An open, uncommitted transaction at shutdown is rolled back, not persisted.
    const tx = await first.db.transaction("write");
    await tx.execute("INSERT INTO notes (title) VALUES ('uncommitted')");
    expect(await first.server.stop("SIGTERM")).toBe(0);
    // The WAL was checkpointed into the main file on shutdown.
    const wal = `${dbPath}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);

    const second = await spawnServer(dbPath);
    const rs = await second.db.execute("SELECT title FROM notes ORDER BY id");
    expect(rs.rows.map((r) => r.title)).toEqual(["兰蔻小黑瓶 🖤"]);
    expect(await second.server.stop("SIGINT")).toBe(0);
  });

  it("takes a PEM auth key on the command line and from LIBSQL_AUTH_JWT_KEY", async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const pem = await exportSPKI(publicKey);
    const token = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA" }).setExpirationTime("1h").sign(privateKey);
    for (const how of [{ authJwtKey: pem }, { env: { LIBSQL_AUTH_JWT_KEY: pem } }]) {
      const server = await spawnLibsqlServer({ dbPath: join(dir, "auth.db"), ...how });
      cleanups.push(() => server.stop("SIGKILL"));
      expect((await fetch(`${server.url}/v2`)).status).toBe(401);
      expect((await fetch(`${server.url}/v2`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(await server.stop()).toBe(0);
    }
  });

  it("survives SIGKILL in the middle of a write loop: integrity ok and every acknowledged row present", async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, "crash.db");
    const { server, db } = await spawnServer(dbPath);
    await db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, writer INTEGER, payload TEXT)");

    const acked: bigint[] = [];
    let killed = false;
    const payload = "x".repeat(2000); // enough data for the WAL to grow while we write
    const writer = async (w: number): Promise<void> => {
      while (!killed) {
        try {
          const mode = acked.length % 3 === 0 ? "batch" : "single";
          if (mode === "batch") {
            const rs = await db.batch(
              [{ sql: "INSERT INTO orders (writer, payload) VALUES (?, ?)", args: [w, payload] }],
              "write",
            );
            const id = rs[0]?.lastInsertRowid;
            if (id !== undefined) acked.push(id);
          } else {
            const rs = await db.execute({
              sql: "INSERT INTO orders (writer, payload) VALUES (?, ?)",
              args: [w, payload],
            });
            if (rs.lastInsertRowid !== undefined) acked.push(rs.lastInsertRowid);
          }
        } catch {
          return; // the server is gone
        }
        if (acked.length >= 400 && !killed) {
          killed = true;
          server.child.kill("SIGKILL"); // while other writers still have requests in flight
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)));
    expect(await server.stop()).toBeNull(); // killed by a signal, no exit code
    expect(acked.length).toBeGreaterThanOrEqual(400);

    const file = new Database(dbPath);
    try {
      expect(file.prepare("PRAGMA integrity_check").raw(true).all()).toEqual([["ok"]]);
      const ids = new Set(
        (file.prepare("SELECT id FROM orders").raw(true).all() as unknown[][]).map((r) => BigInt(String(r[0]))),
      );
      const missing = acked.filter((id) => !ids.has(id));
      expect(missing).toEqual([]);
    } finally {
      file.close();
    }
  });
});
