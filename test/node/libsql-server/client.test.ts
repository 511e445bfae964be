// Conformance against the official @libsql/client (web and Node builds), as the platform uses it.

import type { Client } from "@libsql/client";
import { LibsqlError } from "@libsql/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestServer } from "./helpers.ts";
import { clientKinds, rejection, startTestServer } from "./helpers.ts";

describe.each(clientKinds)("@libsql/client (%s) against the local server", (_kind, createClient) => {
  let server: TestServer;
  let db: Client;
  let big: Client;

  beforeAll(async () => {
    server = await startTestServer();
    db = createClient({ url: server.url });
    big = createClient({ url: server.url, intMode: "bigint" });
  });
  afterAll(async () => {
    db.close();
    big.close();
    await server.cleanup();
  });
  beforeEach(async () => {
    await db.executeMultiple(`
      DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS vals;
      CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT, price REAL);
      CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, f REAL, t TEXT, b BLOB, n);
    `);
  });

  it("executes with positional and named args", async () => {
    const ins = await db.execute({
      sql: "INSERT INTO items (sku, name, price) VALUES (?, ?, ?)",
      args: ["A1", "面霜", 12.5],
    });
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBe(1n);
    await db.execute({
      sql: "INSERT INTO items (sku, name, price) VALUES (:sku, @name, $price)",
      args: { sku: "B2", name: "口红", price: 99 },
    });
    await db.execute({
      sql: "INSERT INTO items (sku, name) VALUES (:sku, :name)",
      args: { ":sku": "C3", ":name": "prefixed" },
    });
    const rs = await db.execute({ sql: "SELECT sku, name, price FROM items WHERE id >= ?1 ORDER BY id", args: [1] });
    expect(rs.columns).toEqual(["sku", "name", "price"]);
    expect(rs.columnTypes).toEqual(["TEXT", "TEXT", "REAL"]);
    expect(rs.rows.map((r) => [r.sku, r.name, r.price])).toEqual([
      ["A1", "面霜", 12.5],
      ["B2", "口红", 99],
      ["C3", "prefixed", null],
    ]);
    // Row objects are index- and name-addressable.
    expect(rs.rows[1]?.[0]).toBe("B2");
    const upd = await db.execute({ sql: "UPDATE items SET price = price * 2 WHERE price IS NOT NULL", args: [] });
    expect(upd.rowsAffected).toBe(2);
  });

  it("round-trips 64-bit integers, floats, null, unicode text and blobs exactly", async () => {
    const ints = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, 0n, -42n];
    // (No U+0000: the libsql engine truncates text results at NUL — a known engine limitation.)
    const text = "兰蔻小黑瓶 🖤 — \"quotes\", \\ and 'single'\n\ttabs \u2028 \ud83d\udc84";
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    for (const [k, i] of ints.entries()) {
      await big.execute({
        sql: "INSERT INTO vals (i, f, t, b, n) VALUES (?, ?, ?, ?, ?)",
        args: [i, k + 0.1, text, bytes, null],
      });
    }
    await big.execute({ sql: "INSERT INTO vals (i, f, b) VALUES (?, ?, ?)", args: [1n, -1.5e300, bytes.buffer] });
    const rs = await big.execute("SELECT i, f, t, b, n, typeof(i) AS ti, typeof(f) AS tf FROM vals ORDER BY id");
    expect(rs.rows.map((r) => r.i)).toEqual([...ints, 1n]);
    expect(rs.rows.map((r) => r.f)).toEqual([0.1, 1.1, 2.1, 3.1, 4.1, -1.5e300]);
    expect(rs.rows[0]?.t).toBe(text);
    expect(rs.rows[5]?.t).toBeNull();
    expect(rs.rows[0]?.n).toBeNull();
    expect(rs.rows.every((r) => r.ti === "integer" && r.tf === "real")).toBe(true);
    for (const r of rs.rows) {
      expect(r.b).toBeInstanceOf(ArrayBuffer);
      expect(new Uint8Array(r.b as ArrayBuffer)).toEqual(bytes);
    }
    // Large rowids come back exactly as well.
    const ins = await big.execute({ sql: "INSERT INTO vals (id) VALUES (?)", args: [2n ** 62n + 7n] });
    expect(ins.lastInsertRowid).toBe(2n ** 62n + 7n);
    // A JS number bound into a REAL expression stays a float; a bigint stays an integer.
    const types = await big.execute({ sql: "SELECT typeof(?) AS a, typeof(?) AS b, ? AS c", args: [3, 3n, 1.0] });
    expect(types.rows[0]).toMatchObject({ a: "real", b: "integer", c: 1 });
    // Default intMode "number" refuses unsafe integers instead of corrupting them.
    await expect(db.execute("SELECT 9007199254740993 AS x")).rejects.toThrow(RangeError);
  });

  it("batches in write, read and deferred modes, all or nothing", async () => {
    const res = await db.batch(
      [
        { sql: "INSERT INTO items (sku) VALUES (?)", args: ["W1"] },
        { sql: "INSERT INTO items (sku) VALUES (?)", args: ["W2"] },
        "SELECT count(*) AS n FROM items",
      ],
      "write",
    );
    expect(res.map((r) => r.rowsAffected)).toEqual([1, 1, 0]);
    expect(res[2]?.rows[0]?.n).toBe(2);

    const read = await db.batch(["SELECT sku FROM items ORDER BY sku", "SELECT count(*) AS n FROM items"], "read");
    expect(read[0]?.rows.map((r) => r.sku)).toEqual(["W1", "W2"]);

    for (const mode of ["write", "deferred", "read"] as const) {
      const err = await rejection(
        db.batch(
          [
            { sql: "INSERT INTO items (sku) VALUES (?)", args: [`X-${mode}`] },
            { sql: "INSERT INTO items (sku) VALUES (?)", args: ["W1"] }, // duplicate (or a write in a read tx)
            { sql: "INSERT INTO items (sku) VALUES (?)", args: [`Y-${mode}`] },
          ],
          mode,
        ),
      );
      expect(err).toBeInstanceOf(LibsqlError);
      expect(err.code).toBe(mode === "read" ? "SQLITE_READONLY" : "SQLITE_CONSTRAINT");
    }
    const after = await db.execute("SELECT sku FROM items ORDER BY sku");
    expect(after.rows.map((r) => r.sku)).toEqual(["W1", "W2"]);
    // The failed batches left no transaction open on pooled connections.
    await db.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["after"] });
    expect((await db.execute("SELECT count(*) AS n FROM items")).rows[0]?.n).toBe(3);
  });

  it("runs interactive transactions: commit, rollback, error then rollback", async () => {
    const tx = await db.transaction("write");
    await tx.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["T1"] });
    expect((await tx.execute("SELECT count(*) AS n FROM items")).rows[0]?.n).toBe(1);
    // Not visible outside before commit.
    expect((await db.execute("SELECT count(*) AS n FROM items")).rows[0]?.n).toBe(0);
    await tx.commit();
    expect((await db.execute("SELECT sku FROM items")).rows.map((r) => r.sku)).toEqual(["T1"]);

    const rb = await db.transaction("write");
    await rb.batch([{ sql: "INSERT INTO items (sku) VALUES (?)", args: ["T2"] }, "UPDATE items SET name = 'x'"]);
    await rb.rollback();
    expect((await db.execute("SELECT sku, name FROM items")).rows.map((r) => [r.sku, r.name])).toEqual([["T1", null]]);

    const bad = await db.transaction("deferred");
    await bad.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["T3"] });
    const err = await rejection(bad.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["T1"] }));
    expect(err.code).toBe("SQLITE_CONSTRAINT");
    // The transaction survives a failed statement and still sees its own write.
    expect((await bad.execute("SELECT count(*) AS n FROM items")).rows[0]?.n).toBe(2);
    await bad.rollback();
    expect((await db.execute("SELECT sku FROM items")).rows.map((r) => r.sku)).toEqual(["T1"]);

    const ro = await db.transaction("read");
    expect((await ro.execute("SELECT count(*) AS n FROM items")).rows[0]?.n).toBe(1);
    expect((await rejection(ro.execute("DELETE FROM items"))).code).toBe("SQLITE_READONLY");
    await ro.commit();
    // query_only must not leak to the pooled connection afterwards.
    for (let i = 0; i < 10; i++) await db.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: [`P${i}`] });
  });

  it("runs executeMultiple, also inside a transaction", async () => {
    await db.executeMultiple(`
      INSERT INTO items (sku, name) VALUES ('M1', 'semi;colon');  -- a comment; with a semicolon
      /* block; comment */ INSERT INTO items (sku) VALUES ('M2');
      CREATE TRIGGER items_name AFTER INSERT ON items WHEN NEW.name IS NULL BEGIN
        UPDATE items SET name = 'auto' WHERE id = NEW.id;
        UPDATE items SET price = 1 WHERE id = NEW.id;
      END;
      INSERT INTO items (sku) VALUES ('M3')
    `);
    const rs = await db.execute("SELECT sku, name, price FROM items ORDER BY id");
    expect(rs.rows.map((r) => [r.sku, r.name, r.price])).toEqual([
      ["M1", "semi;colon", null],
      ["M2", null, null],
      ["M3", "auto", 1],
    ]);
    await db.execute("DROP TRIGGER items_name");
    await expect(
      db.executeMultiple("INSERT INTO items (sku) VALUES ('M4'); INSERT INTO nope VALUES (1)"),
    ).rejects.toThrow(/no such table: nope/);

    const tx = await db.transaction("write");
    await tx.executeMultiple("INSERT INTO items (sku) VALUES ('M5'); INSERT INTO items (sku) VALUES ('M6');");
    await tx.rollback();
    expect((await db.execute("SELECT count(*) AS n FROM items WHERE sku IN ('M5', 'M6')")).rows[0]?.n).toBe(0);
  });

  it("migrates with foreign keys off during the migration and on afterwards", async () => {
    await db.migrate([
      "CREATE TABLE brands (id INTEGER PRIMARY KEY, name TEXT)",
      "CREATE TABLE products (id INTEGER PRIMARY KEY, brand_id INTEGER NOT NULL REFERENCES brands(id))",
      "INSERT INTO products (brand_id) VALUES (7)", // dangling on purpose: allowed while migrating
      "INSERT INTO brands (id, name) VALUES (7, 'Lancôme')",
    ]);
    expect((await db.execute("SELECT count(*) AS n FROM products")).rows[0]?.n).toBe(1);
    const fk = await rejection(db.execute("INSERT INTO products (brand_id) VALUES (999)"));
    expect(fk.code).toBe("SQLITE_CONSTRAINT");
    expect(fk.message).toMatch(/FOREIGN KEY constraint failed/);
    await expect(db.migrate(["CREATE TABLE m1 (a)", "CREATE TABLE m1 (a)"])).rejects.toThrow(/already exists/);
    expect((await db.execute("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'm1'")).rows[0]?.n).toBe(0);
    await db.executeMultiple("DROP TABLE products; DROP TABLE brands;");
  });

  it("reports SQLite errors with sqld's codes", async () => {
    await db.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["U"] });
    // sqld's message: the primary code, "SQLite error:" and SQLite's own text.
    const sqliteError = (code: string, text: string) => ({ code, message: `${code}: SQLite error: ${text}` });
    const unique = await rejection(db.execute({ sql: "INSERT INTO items (sku) VALUES (?)", args: ["U"] }));
    expect(unique).toBeInstanceOf(LibsqlError);
    // Over HTTP the client exposes only the primary code (like with sqld); the detail is in the message.
    expect(unique).toMatchObject(sqliteError("SQLITE_CONSTRAINT", "UNIQUE constraint failed: items.sku"));
    expect(unique.extendedCode).toBeUndefined();
    const notNull = await rejection(db.execute("INSERT INTO items (name) VALUES ('no sku')"));
    expect(notNull).toMatchObject(sqliteError("SQLITE_CONSTRAINT", "NOT NULL constraint failed: items.sku"));
    const syntax = await rejection(db.execute("SELEC * FROM items"));
    expect(syntax.code).toBe("SQL_PARSE_ERROR");
    expect(syntax.message).toMatch(/near "SELEC": syntax error/);
    const missing = await rejection(db.execute("SELECT * FROM nope"));
    expect(missing).toMatchObject(sqliteError("SQLITE_ERROR", "no such table: nope"));
    const many = await rejection(db.execute("SELECT 1; SELECT 2"));
    expect(many.code).toBe("SQL_MANY_STATEMENTS");
    const none = await rejection(db.execute(" -- nothing here;\n ; "));
    expect(none.code).toBe("SQL_NO_STATEMENT");
    const batchErr = await rejection(db.batch(["SELECT 1", "INSERT INTO items (sku) VALUES ('U')"], "write"));
    expect(batchErr.code).toBe("SQLITE_CONSTRAINT");
    expect(batchErr.statementIndex).toBe(1);
  });

  it("keeps cached SQL texts per stream (store_sql) in batches that repeat statements", async () => {
    const stmts = Array.from({ length: 40 }, (_, i) => ({
      sql: "INSERT INTO items (sku, price) VALUES (?, ?)",
      args: [`S${i}`, i],
    }));
    const res = await db.batch(stmts, "write");
    expect(res).toHaveLength(40);
    const sum = await db.execute("SELECT count(*) AS n, sum(price) AS s FROM items");
    expect(sum.rows[0]).toMatchObject({ n: 40, s: 780 });
  });
});
