// Many clients at once, lock contention across interactive transactions, and idle-stream expiry.
import type { Client } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import type { TestServer } from "./helpers.ts";
import { clientKinds, rejection, startTestServer } from "./helpers.ts";

let server: TestServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.cleanup();
  server = undefined;
});

function client(i: number, url: string): Client {
  const make = clientKinds[i % clientKinds.length]?.[1];
  if (make === undefined) throw new Error("no client kinds");
  const c = make({ url });
  clients.push(c);
  return c;
}

describe("concurrency", () => {
  it("serves 32 concurrent clients × 50 inserts with an exact total", async () => {
    server = await startTestServer();
    const url = server.url;
    await client(0, url).execute(
      "CREATE TABLE hits (id INTEGER PRIMARY KEY, client INTEGER, seq INTEGER, UNIQUE (client, seq))",
    );
    const ids = await Promise.all(
      Array.from({ length: 32 }, async (_, c) => {
        const db = client(c, url);
        // Half the clients fire their inserts concurrently (client-side concurrency 20), half one by one.
        const insert = (seq: number) =>
          db
            .execute({ sql: "INSERT INTO hits (client, seq) VALUES (?, ?)", args: [c, seq] })
            .then((r) => r.lastInsertRowid);
        if (c % 2 === 0) return Promise.all(Array.from({ length: 50 }, (_, s) => insert(s)));
        const out: (bigint | undefined)[] = [];
        for (let s = 0; s < 50; s++) out.push(await insert(s));
        return out;
      }),
    );
    const flat = ids.flat();
    expect(new Set(flat).size).toBe(32 * 50);
    const rs = await client(0, url).execute(
      "SELECT count(*) AS n, count(DISTINCT client) AS c, max(id) AS m FROM hits",
    );
    expect(rs.rows[0]).toMatchObject({ n: 1600, c: 32, m: 1600 });
  });

  it("serializes read-modify-write transactions of concurrent clients (lock waits are async)", async () => {
    server = await startTestServer();
    const url = server.url;
    await client(0, url).executeMultiple("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);");
    await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        const db = client(c, url);
        for (let k = 0; k < 5; k++) {
          // "write" = BEGIN IMMEDIATE: waits while another client's transaction holds the lock between requests.
          const tx = await db.transaction("write");
          const n = Number((await tx.execute("SELECT n FROM counter")).rows[0]?.n);
          await tx.execute({ sql: "UPDATE counter SET n = ?", args: [n + 1] });
          await tx.commit();
        }
      }),
    );
    expect((await client(0, url).execute("SELECT n FROM counter")).rows[0]?.n).toBe(60);
  });

  it("fails with SQLITE_BUSY once the busy timeout is exceeded, and the holder still commits", async () => {
    server = await startTestServer({ busyTimeoutMs: 150 });
    const a = client(0, server.url);
    const b = client(1, server.url);
    await a.execute("CREATE TABLE t (v TEXT)");
    const tx = await a.transaction("write");
    await tx.execute("INSERT INTO t VALUES ('held')");
    const err = await rejection(b.execute("INSERT INTO t VALUES ('blocked')"));
    expect(err.code).toBe("SQLITE_BUSY");
    // Readers are not blocked by the writer in WAL mode.
    expect((await b.execute("SELECT count(*) AS n FROM t")).rows[0]?.n).toBe(0);
    await tx.commit();
    await b.execute("INSERT INTO t VALUES ('after')");
    expect((await b.execute("SELECT v FROM t ORDER BY rowid")).rows.map((r) => r.v)).toEqual(["held", "after"]);
  });

  it("expires an idle stream: rolls back its transaction and releases the lock for another writer", async () => {
    server = await startTestServer({ idleStreamTimeoutMs: 300, busyTimeoutMs: 10_000 });
    const logs = server.logs;
    const a = client(0, server.url);
    const b = client(1, server.url);
    await a.execute("CREATE TABLE t (v TEXT)");
    const abandoned = await a.transaction("write");
    await abandoned.execute("INSERT INTO t VALUES ('abandoned')");
    // b's write has to wait for the lock; it can only get it once the idle stream was expired.
    await b.execute("INSERT INTO t VALUES ('waited')");
    expect(logs.some((e) => e.event === "stream_expired")).toBe(true);
    expect((await b.execute("SELECT v FROM t")).rows.map((r) => r.v)).toEqual(["waited"]);
    // The expired stream's baton is no longer valid.
    const err = await rejection(abandoned.execute("SELECT 1"));
    expect(err.code).toBe("STREAM_EXPIRED");
  });
});
