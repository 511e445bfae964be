// Hrana 2/3 over HTTP, JSON encoding: validation of request bodies and encoding of values.
// Spec: https://github.com/tursodatabase/libsql/blob/main/docs/HRANA_3_SPEC.md
// ("Hrana over HTTP" and "Shared structures").

/** A request that violates the protocol; answered with HTTP 400 and a Hrana `Error` body. */
export class ProtocolError extends Error {
  readonly code: string;
  constructor(message: string, code = "HRANA_PROTO_ERROR") {
    super(message);
    this.code = code;
  }
}

export type Value = null | bigint | number | string | Uint8Array;
export interface NamedArg {
  name: string;
  value: Value;
}
export interface Stmt {
  sql: string | undefined;
  sqlId: number | undefined;
  args: Value[];
  namedArgs: NamedArg[];
  wantRows: boolean;
}
export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };
export interface BatchStep {
  condition: BatchCond | undefined;
  stmt: Stmt;
}
export type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: Stmt }
  | { type: "batch"; steps: BatchStep[] }
  | { type: "sequence" | "describe"; sql: string | undefined; sqlId: number | undefined }
  | { type: "store_sql"; sqlId: number; sql: string }
  | { type: "close_sql"; sqlId: number }
  | { type: "get_autocommit" };
export interface PipelineReqBody {
  baton: string | undefined;
  requests: StreamRequest[];
}

export interface HranaError {
  message: string;
  code: string;
}
export interface Col {
  name: string | null;
  decltype: string | null;
}
export interface StmtResult {
  cols: Col[];
  rows: unknown[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

type Json = Record<string, unknown>;

function object(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ProtocolError(`${what} must be an object`);
  return v as Json;
}
function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ProtocolError(`${what} must be an array`);
  return v;
}
function string(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ProtocolError(`${what} must be a string`);
  return v;
}
function optString(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : string(v, what);
}
function int32(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
    throw new ProtocolError(`${what} must be a 32-bit integer`);
  }
  return v;
}
function optInt32(v: unknown, what: string): number | undefined {
  return v === undefined || v === null ? undefined : int32(v, what);
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function decodeValue(v: unknown, what: string): Value {
  const o = object(v, what);
  switch (o.type) {
    case "null":
      return null;
    case "integer": {
      // Integers travel as strings so 64-bit values survive JSON; tolerate safe JSON numbers too.
      const raw = o.value;
      let n: bigint | undefined;
      if (typeof raw === "string" && /^-?\d{1,20}$/.test(raw)) n = BigInt(raw);
      else if (typeof raw === "number" && Number.isSafeInteger(raw)) n = BigInt(raw);
      if (n === undefined || n < I64_MIN || n > I64_MAX)
        throw new ProtocolError(`${what} is not a valid 64-bit integer`);
      return n;
    }
    case "float":
      if (typeof o.value !== "number") throw new ProtocolError(`${what}.value must be a number`);
      return o.value;
    case "text":
      return string(o.value, `${what}.value`);
    case "blob": {
      const b64 = string(o.base64, `${what}.base64`);
      if (!BASE64.test(b64)) throw new ProtocolError(`${what}.base64 is not valid base64`);
      return new Uint8Array(Buffer.from(b64, "base64"));
    }
    default:
      throw new ProtocolError(`${what} has unknown type ${JSON.stringify(o.type)}`);
  }
}

function decodeStmt(v: unknown, what: string): Stmt {
  const o = object(v, what);
  const args = o.args === undefined || o.args === null ? [] : array(o.args, `${what}.args`);
  const named = o.named_args === undefined || o.named_args === null ? [] : array(o.named_args, `${what}.named_args`);
  const stmt: Stmt = {
    sql: optString(o.sql, `${what}.sql`),
    sqlId: optInt32(o.sql_id, `${what}.sql_id`),
    args: args.map((a, i) => decodeValue(a, `${what}.args[${i}]`)),
    namedArgs: named.map((a, i) => {
      const na = object(a, `${what}.named_args[${i}]`);
      return {
        name: string(na.name, `${what}.named_args[${i}].name`),
        value: decodeValue(na.value, `${what}.named_args[${i}].value`),
      };
    }),
    wantRows: o.want_rows === undefined || o.want_rows === null ? true : o.want_rows === true,
  };
  if (o.want_rows !== undefined && o.want_rows !== null && typeof o.want_rows !== "boolean") {
    throw new ProtocolError(`${what}.want_rows must be a boolean`);
  }
  checkSqlOrId(stmt.sql, stmt.sqlId, what);
  return stmt;
}

function checkSqlOrId(sql: string | undefined, sqlId: number | undefined, what: string): void {
  if ((sql === undefined) === (sqlId === undefined))
    throw new ProtocolError(`${what}: exactly one of sql and sql_id must be given`);
}

function decodeCond(v: unknown, stepIndex: number, what: string): BatchCond {
  const o = object(v, what);
  switch (o.type) {
    case "ok":
    case "error": {
      const step = int32(o.step, `${what}.step`);
      // A condition can only look back: steps run in order.
      if (step < 0 || step >= stepIndex) throw new ProtocolError(`${what}.step must refer to an earlier step`);
      return { type: o.type, step };
    }
    case "not":
      return { type: "not", cond: decodeCond(o.cond, stepIndex, `${what}.cond`) };
    case "and":
    case "or":
      return {
        type: o.type,
        conds: array(o.conds, `${what}.conds`).map((c, i) => decodeCond(c, stepIndex, `${what}.conds[${i}]`)),
      };
    case "is_autocommit":
      return { type: "is_autocommit" };
    default:
      throw new ProtocolError(`${what} has unknown type ${JSON.stringify(o.type)}`);
  }
}

function decodeRequest(v: unknown, what: string): StreamRequest {
  const o = object(v, what);
  switch (o.type) {
    case "close":
    case "get_autocommit":
      return { type: o.type };
    case "execute":
      return { type: "execute", stmt: decodeStmt(o.stmt, `${what}.stmt`) };
    case "batch": {
      const batch = object(o.batch, `${what}.batch`);
      const steps = array(batch.steps, `${what}.batch.steps`).map((s, i): BatchStep => {
        const step = object(s, `${what}.batch.steps[${i}]`);
        const condition =
          step.condition === undefined || step.condition === null
            ? undefined
            : decodeCond(step.condition, i, `${what}.batch.steps[${i}].condition`);
        return { condition, stmt: decodeStmt(step.stmt, `${what}.batch.steps[${i}].stmt`) };
      });
      return { type: "batch", steps };
    }
    case "sequence":
    case "describe": {
      const sql = optString(o.sql, `${what}.sql`);
      const sqlId = optInt32(o.sql_id, `${what}.sql_id`);
      checkSqlOrId(sql, sqlId, what);
      return { type: o.type, sql, sqlId };
    }
    case "store_sql":
      return { type: "store_sql", sqlId: int32(o.sql_id, `${what}.sql_id`), sql: string(o.sql, `${what}.sql`) };
    case "close_sql":
      return { type: "close_sql", sqlId: int32(o.sql_id, `${what}.sql_id`) };
    default:
      throw new ProtocolError(`${what} has unknown type ${JSON.stringify(o.type)}`);
  }
}

export function decodePipelineReqBody(v: unknown): PipelineReqBody {
  const o = object(v, "request body");
  const baton = optString(o.baton, "baton");
  const requests = array(o.requests, "requests").map((r, i) => decodeRequest(r, `requests[${i}]`));
  return { baton, requests };
}

// `JSON.rawJSON` (Node >= 21) lets ±Infinity travel as 1e999, which JSON parsers read back as Infinity.
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

export function encodeValue(v: unknown): Json {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") {
    if (Number.isFinite(v) || rawJSON === undefined) return { type: "float", value: v };
    return { type: "float", value: rawJSON(v > 0 ? "1e999" : "-1e999") };
  }
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array)
    return { type: "blob", base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  return { type: "text", value: String(v) };
}
