// One SQLite connection on the `libsql` native engine, speaking Hrana results and errors.
import Database from "libsql";
import type { Col, HranaError, Stmt, StmtResult, Value } from "./protocol.ts";
import { encodeValue } from "./protocol.ts";
import type { SqlStatement } from "./sql.ts";
import { splitSql } from "./sql.ts";

type NativeDb = InstanceType<typeof Database>;
/** The part of the engine's (better-sqlite3 style) statement API we use; one bind argument: array or object. */
interface NativeStmt {
  readonly reader: boolean;
  raw(on?: boolean): NativeStmt;
  safeIntegers(on?: boolean): NativeStmt;
  columns(): { name: string; type: string | null }[];
  run(bind?: unknown): { changes: number; lastInsertRowid: number | bigint };
  all(bind?: unknown): unknown[];
  get(bind?: unknown): unknown;
}

/** An error to report to the client as a Hrana `Error` (per request, not per HTTP response). */
export class StmtError extends Error {
  readonly code: string;
  readonly rawCode: number | undefined;
  constructor(message: string, code: string, rawCode?: number) {
    super(message);
    this.code = code;
    this.rawCode = rawCode;
  }
}

// Primary result code names, as sqld reports them (`code` = primary code; the extended one is in the message).
const PRIMARY_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};
const SQLITE_BUSY = 5;
const SQLITE_BUSY_SNAPSHOT = 517; // stale read snapshot in a transaction: retrying cannot help

function rawCodeOf(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null || !("rawCode" in e)) return undefined;
  return typeof e.rawCode === "number" ? e.rawCode : undefined;
}

function isRetryableBusy(e: unknown): boolean {
  const raw = rawCodeOf(e);
  return raw !== undefined && (raw & 0xff) === SQLITE_BUSY && raw !== SQLITE_BUSY_SNAPSHOT;
}

function toStmtError(e: unknown, atPrepare = false): StmtError {
  if (e instanceof StmtError) return e;
  const { message, code } = toHranaError(e, atPrepare);
  return new StmtError(message, code, rawCodeOf(e));
}

/** Map an engine exception to the Hrana error sqld would send. */
export function toHranaError(e: unknown, atPrepare = false): HranaError {
  if (e instanceof StmtError) return { message: e.message, code: e.code };
  const message = e instanceof Error ? e.message : String(e);
  const raw = rawCodeOf(e);
  if (raw === undefined) return { message, code: "SQLITE_ERROR" };
  // sqld parses SQL itself before SQLite sees it, so syntax errors surface as SQL_PARSE_ERROR there.
  if (atPrepare && (raw & 0xff) === 1 && /syntax error|unrecognized token|incomplete input/.test(message)) {
    return { message: `SQL string could not be parsed: ${message}`, code: "SQL_PARSE_ERROR" };
  }
  return { message: `SQLite error: ${message}`, code: PRIMARY_CODES[raw & 0xff] ?? "SQLITE_UNKNOWN" };
}

interface Prepared {
  stmt: NativeStmt;
  reader: boolean;
  returning: boolean;
  cols: Col[];
}

const STMT_CACHE_SIZE = 128;
const READONLY_BEGIN = /^\s*BEGIN\b[^;]*\bREADONLY\b/i;
const ANALYSIS_CACHE_SIZE = 512;
const analysisCache = new Map<string, SqlStatement[]>();

/** Split SQL into statements (memoized: clients send the same texts over and over). */
export function analyze(sql: string): SqlStatement[] {
  let stmts = analysisCache.get(sql);
  if (stmts === undefined) {
    stmts = splitSql(sql);
    if (analysisCache.size >= ANALYSIS_CACHE_SIZE) analysisCache.clear();
    analysisCache.set(sql, stmts);
  }
  return stmts;
}

function toNative(v: Value): unknown {
  // The native binding aborts the process on booleans; Hrana values never decode to one.
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

export class Connection {
  readonly #db: NativeDb;
  readonly #cache = new Map<string, Prepared>();
  #meta: NativeStmt | undefined;
  #open = true;
  #queryOnly = false;

  constructor(path: string) {
    this.#db = new Database(path);
    // busy_timeout 0: a blocking wait would freeze the single JS thread, so the lock holder (another
    // stream of this same process) could never finish. Callers retry SQLITE_BUSY asynchronously instead.
    this.#db.exec("PRAGMA busy_timeout = 0; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get isAutocommit(): boolean {
    return !this.#open || !this.#db.inTransaction;
  }

  /**
   * Run one statement given as SQL text plus Hrana args; throws StmtError. `single` rejects texts with
   * several statements like sqld (the engine would silently run only the first one).
   */
  execute(sql: string, stmt: Pick<Stmt, "args" | "namedArgs" | "wantRows">, single = true): StmtResult {
    if (single) {
      const parts = analyze(sql);
      if (parts.length === 0) throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
      if (parts.length > 1) throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
    }
    const p = this.#prepare(sql);
    try {
      return this.#bindAndRun(p, stmt);
    } finally {
      this.#trackReadonly(sql);
    }
  }

  // libSQL's `BEGIN TRANSACTION READONLY` (the client's "read" mode) parses but is not enforced by the
  // engine; sqld refuses writes in it, so we switch the connection to query_only until the transaction ends.
  #trackReadonly(sql: string): void {
    if (!this.#open) return;
    const inTx = this.#db.inTransaction;
    if (!this.#queryOnly && inTx && READONLY_BEGIN.test(sql)) {
      this.#db.exec("PRAGMA query_only = ON");
      this.#queryOnly = true;
    } else if (this.#queryOnly && !inTx) {
      this.#db.exec("PRAGMA query_only = OFF");
      this.#queryOnly = false;
    }
  }

  #bindAndRun(p: Prepared, stmt: Pick<Stmt, "args" | "namedArgs" | "wantRows">): StmtResult {
    if (stmt.args.length > 0 && stmt.namedArgs.length > 0) {
      throw new StmtError(
        "Specifying both positional and named arguments is not supported",
        "ARGS_BOTH_POSITIONAL_AND_NAMED",
      );
    }
    let bind: unknown;
    if (stmt.namedArgs.length > 0) {
      // The engine matches object keys against parameter names without their `:`/`@`/`$` prefix.
      const named: Record<string, unknown> = {};
      for (const a of stmt.namedArgs) named[a.name.replace(/^[:@$?]/, "")] = toNative(a.value);
      bind = named;
    } else {
      bind = stmt.args.map(toNative);
    }
    try {
      if (p.reader) {
        const rows = p.stmt.all(bind) as unknown[][];
        const [changes, rowid] = this.#lastChange();
        return {
          cols: p.cols,
          rows: stmt.wantRows ? rows.map((r) => r.map(encodeValue)) : [],
          affected_row_count: p.returning ? changes : 0,
          last_insert_rowid: rowid,
        };
      }
      const info = p.stmt.run(bind);
      const rowid = info.lastInsertRowid;
      // The engine returns the rowid as a JS number; re-read it exactly when it may have lost precision.
      const exact = typeof rowid === "bigint" || Number.isSafeInteger(rowid) ? String(rowid) : this.#lastChange()[1];
      return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: exact };
    } catch (e) {
      throw toStmtError(e);
    }
  }

  #prepare(sql: string): Prepared {
    if (!this.#open) throw new StmtError("The connection is closed", "STREAM_CLOSED");
    const hit = this.#cache.get(sql);
    if (hit !== undefined) {
      // Refresh the LRU position.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    let stmt: NativeStmt;
    try {
      stmt = this.#db.prepare(sql) as unknown as NativeStmt;
    } catch (e) {
      throw toStmtError(e, true);
    }
    const reader = stmt.reader;
    if (reader) stmt.raw(true);
    stmt.safeIntegers(true);
    const cols = reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type })) : [];
    const prepared: Prepared = { stmt, reader, returning: reader && /\bRETURNING\b/i.test(sql), cols };
    if (this.#cache.size >= STMT_CACHE_SIZE) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(sql, prepared);
    return prepared;
  }

  #lastChange(): [number, string] {
    if (this.#meta === undefined) {
      this.#meta = this.#db.prepare("SELECT changes(), last_insert_rowid()") as unknown as NativeStmt;
      this.#meta.raw(true).safeIntegers(true);
    }
    const row = this.#meta.get([]) as unknown[] | undefined;
    return [Number(row?.[0] ?? 0), String(row?.[1] ?? 0)];
  }

  describe(sql: string): Record<string, unknown> {
    const parts = analyze(sql);
    const first = parts[0];
    if (first === undefined) throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
    if (parts.length > 1) throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
    const p = this.#prepare(sql);
    let readonly = true;
    try {
      // No sqlite3_stmt_readonly() in the binding: a statement writes iff its program opens a write
      // transaction or a table for writing.
      const explain = this.#db.prepare(`EXPLAIN ${first.text}`) as unknown as NativeStmt;
      const ops = explain.raw(true).all([]) as unknown[][];
      readonly = !ops.some((op) => op[1] === "OpenWrite" || (op[1] === "Transaction" && op[3] !== 0));
    } catch {
      readonly = p.reader && !p.returning;
    }
    return {
      params: first.params.map((name) => ({ name })),
      cols: p.cols.map((c) => ({ name: c.name ?? "", decltype: c.decltype })),
      is_explain: first.isExplain,
      is_readonly: readonly,
    };
  }

  /** Undo any open transaction and restore per-connection settings before the connection is reused. */
  reset(): void {
    if (!this.#open) return;
    if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
    this.#db.exec("PRAGMA foreign_keys = ON; PRAGMA query_only = OFF");
    this.#queryOnly = false;
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#cache.clear();
    try {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
    } finally {
      this.#db.close();
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn`, retrying on SQLITE_BUSY with backoff until `budgetMs` has elapsed. The waits are
 * asynchronous, so the stream holding the lock keeps being served meanwhile.
 */
export async function retryBusy<T>(fn: () => T, budgetMs: number): Promise<T> {
  const started = Date.now();
  let delay = 1;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (!isRetryableBusy(e) || Date.now() - started >= budgetMs) throw e;
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}
