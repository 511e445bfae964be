// Hrana over HTTP on the wire (raw fetch): batons, batch conditions, value encoding, malformed input.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLibsqlServer } from "../../../dev/libsql-server/server.ts";
import type { TestServer } from "./helpers.ts";
import { startTestServer, tempDir } from "./helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 64 * 1024, idleStreamTimeoutMs: 60_000 });
  await pipeline([exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v)"), { type: "close" }]);
});
afterAll(() => server.cleanup());

type Json = Record<string, unknown>;
const exec = (sql: string, extra: Json = {}): Json => ({ type: "execute", stmt: { sql, ...extra } });
const int = (v: string | number): Json => ({ type: "integer", value: String(v) });
const text = (v: string): Json => ({ type: "text", value: v });

async function post(body: string, path = "/v2/pipeline"): Promise<{ status: number; type: string | null; json: Json }> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: res.status, type: res.headers.get("content-type"), json: (await res.json()) as Json };
}
async function pipeline(requests: Json[], baton?: string | null, path?: string) {
  const res = await post(JSON.stringify({ baton: baton ?? null, requests }), path);
  expect(res.status).toBe(200);
  return res.json as {
    baton: string | null;
    base_url: string | null;
    results: { type: string; response?: Json; error?: Json }[];
  };
}
interface WireResult {
  rows?: unknown;
  step_results?: (Json | null)[];
  step_errors?: (Json | null)[];
  [key: string]: unknown;
}
const result = (r: { response?: Json } | undefined): WireResult => (r?.response?.result ?? {}) as WireResult;

describe("Hrana HTTP endpoints", () => {
  it("answers version checks, health and version; v3-protobuf is absent so clients fall back to JSON", async () => {
    for (const path of ["/v2", "/v3", "/health", "/version"])
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/version`)).text()).toMatch(/\d+\.\d+\.\d+/);
    expect((await fetch(`${server.url}/v3-protobuf`)).status).toBe(404);
    expect((await fetch(`${server.url}/v3-protobuf/pipeline`, { method: "POST", body: "" })).status).toBe(404);
  });

  it("counts the pipelines and statements it has run at GET /v1/stats", async () => {
    const stats = async () => (await (await fetch(`${server.url}/v1/stats`)).json()) as Json;
    const before = await stats();
    await pipeline([exec("SELECT 1"), exec("SELECT 2"), { type: "close" }]);
    const after = await stats();
    expect(Number(after.pipelines) - Number(before.pipelines)).toBe(1);
    expect(Number(after.statements) - Number(before.statements)).toBe(2);
  });

  it("encodes values: integers as strings, floats, text, base64 blobs, null; want_rows", async () => {
    const out = await pipeline([
      exec("SELECT ? AS i, ? AS f, ? AS t, ? AS b, ? AS n, 1e999 AS inf", {
        args: [
          int("-9223372036854775808"),
          { type: "float", value: 0.5 },
          text("兰蔻小黑瓶 🖤"),
          { type: "blob", base64: "AAH/" },
          { type: "null" },
        ],
      }),
      exec("INSERT INTO kv VALUES ('w', 1) RETURNING k", { want_rows: false }),
      exec("SELECT :a AS a, $b AS b", {
        named_args: [
          { name: ":a", value: int(1) },
          { name: "b", value: int(2) },
        ],
      }),
      { type: "close" },
    ]);
    const r0 = result(out.results[0]);
    expect(r0.cols).toEqual(["i", "f", "t", "b", "n", "inf"].map((name) => ({ name, decltype: null })));
    expect(r0.rows).toEqual([
      [
        { type: "integer", value: "-9223372036854775808" },
        { type: "float", value: 0.5 },
        { type: "text", value: "兰蔻小黑瓶 🖤" },
        { type: "blob", base64: "AAH/" },
        { type: "null" },
        { type: "float", value: Number.POSITIVE_INFINITY }, // sent as 1e999
      ],
    ]);
    const r1 = result(out.results[1]);
    expect(r1).toMatchObject({ cols: [{ name: "k", decltype: "TEXT" }], rows: [], affected_row_count: 1 });
    expect(typeof r1.last_insert_rowid).toBe("string");
    expect(result(out.results[2]).rows).toEqual([[int(1), int(2)]]);
    expect(out.baton).toBeNull();
  });

  it("rotates single-use batons and keeps a stream's transaction on its own connection", async () => {
    const a1 = await pipeline([exec("BEGIN"), exec("INSERT INTO kv VALUES ('tx', 1)"), { type: "get_autocommit" }]);
    expect(a1.results.map((r) => r.type)).toEqual(["ok", "ok", "ok"]);
    expect(a1.results[2]?.response).toEqual({ type: "get_autocommit", is_autocommit: false });
    const baton1 = a1.baton;
    expect(baton1).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    // Another stream does not see the uncommitted row.
    const other = await pipeline([exec("SELECT count(*) FROM kv WHERE k = 'tx'"), { type: "close" }]);
    expect(result(other.results[0]).rows).toEqual([[int(0)]]);
    const a2 = await pipeline([exec("SELECT count(*) FROM kv WHERE k = 'tx'")], baton1, "/v3/pipeline");
    expect(result(a2.results[0]).rows).toEqual([[int(1)]]);
    expect(a2.baton).not.toBe(baton1);
    // The old baton is spent.
    const replay = await post(JSON.stringify({ baton: baton1, requests: [exec("SELECT 1")] }));
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({ code: "STREAM_EXPIRED" });
    const a3 = await pipeline(
      [exec("COMMIT"), { type: "get_autocommit" }, { type: "close" }, exec("SELECT 1")],
      a2.baton,
    );
    expect(a3.results[1]?.response).toEqual({ type: "get_autocommit", is_autocommit: true });
    expect(a3.results[3]).toMatchObject({ type: "error", error: { code: "STREAM_CLOSED" } });
    expect(a3.baton).toBeNull();
  });

  it("evaluates batch conditions ok / error / not / and / or / is_autocommit", async () => {
    const ok = (step: number) => ({ type: "ok", step });
    const error = (step: number) => ({ type: "error", step });
    const steps = [
      { stmt: { sql: "SELECT 1" } }, // 0 ok
      { stmt: { sql: "SELECT * FROM missing_table" } }, // 1 error
      { condition: ok(1), stmt: { sql: "SELECT 'skipped'" } }, // 2 skipped
      { condition: error(1), stmt: { sql: "SELECT 3" } }, // 3 runs
      { condition: { type: "not", cond: ok(2) }, stmt: { sql: "SELECT 4" } }, // 4 runs
      { condition: { type: "and", conds: [ok(0), ok(2)] }, stmt: { sql: "SELECT 5" } }, // 5 skipped
      { condition: { type: "or", conds: [ok(2), error(1)] }, stmt: { sql: "BEGIN" } }, // 6 runs
      { condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 7" } }, // 7 skipped: inside BEGIN
      { condition: { type: "not", cond: { type: "is_autocommit" } }, stmt: { sql: "ROLLBACK" } }, // 8 runs
      { condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 9" } }, // 9 runs
    ];
    const out = await pipeline([{ type: "batch", batch: { steps } }, { type: "close" }]);
    const r = result(out.results[0]);
    expect(r.step_results?.map((x) => x !== null)).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(r.step_errors?.map((x) => x !== null)).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(r.step_errors?.[1]).toEqual({ message: "SQLite error: no such table: missing_table", code: "SQLITE_ERROR" });
  });

  it("supports store_sql / close_sql, sequence and describe", async () => {
    const out = await pipeline([
      { type: "store_sql", sql_id: 1, sql: "INSERT INTO kv VALUES (?, ?)" },
      { type: "execute", stmt: { sql_id: 1, args: [text("s1"), int(1)] } },
      { type: "batch", batch: { steps: [{ stmt: { sql_id: 1, args: [text("s2"), int(2)] } }] } },
      { type: "close_sql", sql_id: 1 },
      { type: "execute", stmt: { sql_id: 1, args: [text("s3"), int(3)] } },
      { type: "sequence", sql: "INSERT INTO kv VALUES ('q1', 1); INSERT INTO kv VALUES ('q2', 2);" },
      { type: "describe", sql: "SELECT k, v FROM kv WHERE k = :key AND v > ?" },
      { type: "describe", sql: "EXPLAIN DELETE FROM kv" },
      { type: "describe", sql: "DELETE FROM kv WHERE k = ?" },
      exec("SELECT group_concat(k) FROM (SELECT k FROM kv WHERE k IN ('s1','s2','s3','q1','q2') ORDER BY k)"),
      { type: "close" },
    ]);
    expect(out.results.map((r) => r.type)).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "error",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
    expect(out.results[4]?.error).toMatchObject({ code: "SQL_NOT_FOUND" });
    expect(result(out.results[6])).toEqual({
      params: [{ name: ":key" }, { name: null }],
      cols: [
        { name: "k", decltype: "TEXT" },
        { name: "v", decltype: null },
      ],
      is_explain: false,
      is_readonly: true,
    });
    expect(result(out.results[7])).toMatchObject({ is_explain: true });
    expect(result(out.results[8])).toMatchObject({ params: [{ name: null }], cols: [], is_readonly: false });
    expect(result(out.results[9]).rows).toEqual([[text("q1,q2,s1,s2")]]);
  });

  it("reports per-request SQL errors in their slot with HTTP 200", async () => {
    const out = await pipeline([
      exec("INSERT INTO kv VALUES ('dup', 1)"),
      exec("INSERT INTO kv VALUES ('dup', 2)"),
      exec("SELECT v FROM kv WHERE k = 'dup'"),
      { type: "close" },
    ]);
    expect(out.results.map((r) => r.type)).toEqual(["ok", "error", "ok", "ok"]);
    expect(out.results[1]?.error).toEqual({
      message: "SQLite error: UNIQUE constraint failed: kv.k",
      code: "SQLITE_CONSTRAINT",
    });
    expect(result(out.results[2]).rows).toEqual([[int(1)]]);
  });
});

describe("malformed requests", () => {
  const requests = (...list: Json[]) => JSON.stringify({ requests: list });
  const selectArg = (arg: Json) => requests(exec("SELECT ?", { args: [arg] }));
  const cases: [string, string, number, string][] = [
    ["invalid JSON", "{not json", 400, "JSON_PARSE_ERROR"],
    ["a non-object body", "[1,2]", 400, "HRANA_PROTO_ERROR"],
    ["missing requests", "{}", 400, "HRANA_PROTO_ERROR"],
    ["an unknown request type", requests({ type: "explode" }), 400, "HRANA_PROTO_ERROR"],
    ["an unknown value type", selectArg({ type: "date", value: "x" }), 400, "HRANA_PROTO_ERROR"],
    ["a non-numeric integer", selectArg({ type: "integer", value: "12abc" }), 400, "HRANA_PROTO_ERROR"],
    ["an integer beyond 64 bits", selectArg(int("9223372036854775808")), 400, "HRANA_PROTO_ERROR"],
    ["a float given as a string", selectArg({ type: "float", value: "1.5" }), 400, "HRANA_PROTO_ERROR"],
    ["invalid base64", selectArg({ type: "blob", base64: "***" }), 400, "HRANA_PROTO_ERROR"],
    [
      "both sql and sql_id",
      requests({ type: "execute", stmt: { sql: "SELECT 1", sql_id: 1 } }),
      400,
      "HRANA_PROTO_ERROR",
    ],
    [
      "a forward batch condition",
      requests({
        type: "batch",
        batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 1" } }] },
      }),
      400,
      "HRANA_PROTO_ERROR",
    ],
    [
      "an unknown baton",
      JSON.stringify({ baton: "forged-baton", requests: [exec("SELECT 1")] }),
      400,
      "STREAM_EXPIRED",
    ],
    ["a body over the limit", requests(exec(`SELECT '${"x".repeat(70 * 1024)}'`)), 413, "PAYLOAD_TOO_LARGE"],
  ];

  it.each(cases)(
    "answers %s with a Hrana error, logs it once, executes nothing and keeps serving",
    async (_name, body, status, code) => {
      const logsBefore = server.logs.length;
      const res = await post(body);
      expect(res.status).toBe(status);
      expect(res.type).toBe("application/json");
      expect(res.json).toEqual({ message: expect.any(String), code });
      expect(server.logs.length).toBe(logsBefore + 1);
      const ok = await pipeline([exec("SELECT 42"), { type: "close" }]);
      expect(result(ok.results[0]).rows).toEqual([[int(42)]]);
    },
  );

  it("does not run any request of a pipeline that is malformed further down", async () => {
    const res = await post(
      JSON.stringify({ requests: [exec("INSERT INTO kv VALUES ('ghost', 1)"), { type: "nope" }] }),
    );
    expect(res.status).toBe(400);
    const out = await pipeline([exec("SELECT count(*) FROM kv WHERE k = 'ghost'"), { type: "close" }]);
    expect(result(out.results[0]).rows).toEqual([[int(0)]]);
  });

  it("refuses to start on a port that is taken", async () => {
    const dir = tempDir();
    await expect(startLibsqlServer({ port: server.port, dbPath: join(dir, "other.db") })).rejects.toThrow(/EADDRINUSE/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers unknown paths and wrong methods with 4xx", async () => {
    expect((await fetch(`${server.url}/v1/execute`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${server.url}/v2/pipeline`)).status).toBe(405);
  });
});
