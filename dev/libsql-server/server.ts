// Local libSQL server: Hrana 2/3 over HTTP (JSON) on the `libsql` native engine, compatible with
// `@libsql/client` (web and Node) the way sqld is.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import type { JwtKey } from "./auth.ts";
import { checkAuthorization, parseJwtKey } from "./auth.ts";
import { analyze, Connection, retryBusy, StmtError, toHranaError } from "./engine.ts";
import type { BatchCond, BatchStep, HranaError, Stmt, StmtResult, StreamRequest } from "./protocol.ts";
import { decodePipelineReqBody, ProtocolError } from "./protocol.ts";

export interface LibsqlServerOptions {
  port?: number;
  host?: string;
  dbPath: string;
  /** Ed25519 public key (base64url raw 32 bytes, PEM or JWK); when set every request but /health needs a JWT. */
  authJwtKey?: string;
  /** Streams (batons) idle this long are closed and their open transaction rolled back. */
  idleStreamTimeoutMs?: number;
  /** How long a statement waits for a lock held by another connection before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  maxBodyBytes?: number;
  /** One JSON-serializable record per problem (bad request, expired transaction, crash); default: stderr. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface LibsqlServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const VERSION = "0.1.0";
const MAX_IDLE_CONNECTIONS = 8;

interface HranaStream {
  conn: Connection;
  sqls: Map<number, string>;
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
}

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, message: string, code: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const defaultLog = (entry: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  const host = options.host ?? "127.0.0.1";
  const idleMs = options.idleStreamTimeoutMs ?? 10_000;
  const busyMs = options.busyTimeoutMs ?? 5_000;
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const log = options.log ?? defaultLog;
  const jwtKey: JwtKey | undefined = options.authJwtKey ? await parseJwtKey(options.authJwtKey) : undefined;

  mkdirSync(dirname(options.dbPath), { recursive: true });
  const first = new Connection(options.dbPath);
  first.exec("PRAGMA journal_mode = WAL"); // persistent in the file; once is enough
  const idle: Connection[] = [first];
  const streams = new Map<string, HranaStream>(); // by current baton
  const live = new Set<HranaStream>();

  const acquireConnection = (): Connection => idle.pop() ?? new Connection(options.dbPath);
  let state: "open" | "closing" | "closed" = "open";
  const releaseConnection = (conn: Connection): void => {
    try {
      conn.reset();
      // While closing keep every connection: close() checkpoints through one of them, then closes all.
      if (state === "closing" || (state === "open" && idle.length < MAX_IDLE_CONNECTIONS)) {
        idle.push(conn);
        return;
      }
    } catch (e) {
      log({ level: "error", event: "connection_reset_failed", message: String(e) });
    }
    conn.close();
  };

  const closeStream = (stream: HranaStream, reason?: string): void => {
    if (stream.closed) return;
    stream.closed = true;
    clearTimeout(stream.timer);
    live.delete(stream);
    if (reason !== undefined && !stream.conn.isAutocommit) {
      log({ level: "warn", event: "stream_expired", message: `${reason}: open transaction rolled back` });
    }
    releaseConnection(stream.conn);
  };

  const parkStream = (stream: HranaStream): string => {
    const baton = randomBytes(24).toString("base64url");
    streams.set(baton, stream);
    stream.timer = setTimeout(() => {
      streams.delete(baton);
      closeStream(stream, `stream idle for ${idleMs} ms`);
    }, idleMs);
    stream.timer.unref();
    return baton;
  };

  const sqlOf = (stream: HranaStream, sql: string | undefined, sqlId: number | undefined): string => {
    if (sql !== undefined) return sql;
    const stored = sqlId === undefined ? undefined : stream.sqls.get(sqlId);
    if (stored === undefined) throw new StmtError(`SQL text with id ${sqlId} was not stored`, "SQL_NOT_FOUND");
    return stored;
  };

  // What `GET /v1/stats` reports: pipeline requests (one per client round trip) and statements run, since start.
  const stats = { pipelines: 0, statements: 0 };

  const executeStmt = (stream: HranaStream, stmt: Stmt): Promise<StmtResult> => {
    const sql = sqlOf(stream, stmt.sql, stmt.sqlId);
    stats.statements++;
    return retryBusy(() => stream.conn.execute(sql, stmt), busyMs);
  };

  const runBatch = async (stream: HranaStream, steps: BatchStep[]): Promise<Record<string, unknown>> => {
    const results: (StmtResult | null)[] = [];
    const errors: (HranaError | null)[] = [];
    const evaluate = (c: BatchCond): boolean => {
      switch (c.type) {
        case "ok":
          return results[c.step] != null;
        case "error":
          return errors[c.step] != null;
        case "not":
          return !evaluate(c.cond);
        case "and":
          return c.conds.every(evaluate);
        case "or":
          return c.conds.some(evaluate);
        case "is_autocommit":
          return stream.conn.isAutocommit;
      }
    };
    for (const step of steps) {
      let result: StmtResult | null = null;
      let error: HranaError | null = null;
      if (step.condition === undefined || evaluate(step.condition)) {
        try {
          result = await executeStmt(stream, step.stmt);
        } catch (e) {
          error = toHranaError(e);
        }
      }
      results.push(result);
      errors.push(error);
    }
    return { step_results: results, step_errors: errors };
  };

  const handleRequest = async (stream: HranaStream, req: StreamRequest): Promise<Record<string, unknown>> => {
    if (stream.closed) throw new StmtError("The stream has already been closed", "STREAM_CLOSED");
    switch (req.type) {
      case "close":
        closeStream(stream);
        return { type: "close" };
      case "execute":
        return { type: "execute", result: await executeStmt(stream, req.stmt) };
      case "batch":
        return { type: "batch", result: await runBatch(stream, req.steps) };
      case "sequence": {
        // One statement at a time, so a busy wait never re-runs statements that already took effect.
        for (const part of analyze(sqlOf(stream, req.sql, req.sqlId))) {
          await retryBusy(
            () => stream.conn.execute(part.text, { args: [], namedArgs: [], wantRows: false }, false),
            busyMs,
          );
        }
        return { type: "sequence" };
      }
      case "describe":
        return { type: "describe", result: stream.conn.describe(sqlOf(stream, req.sql, req.sqlId)) };
      case "store_sql":
        if (stream.sqls.has(req.sqlId))
          throw new StmtError(`SQL text with id ${req.sqlId} is already stored`, "SQL_STORE_EXISTS");
        stream.sqls.set(req.sqlId, req.sql);
        return { type: "store_sql" };
      case "close_sql":
        stream.sqls.delete(req.sqlId);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: stream.conn.isAutocommit };
    }
  };

  const handlePipeline = async (body: unknown): Promise<Record<string, unknown>> => {
    const pipeline = decodePipelineReqBody(body);
    let stream: HranaStream;
    if (pipeline.baton === undefined) {
      stream = { conn: acquireConnection(), sqls: new Map(), timer: undefined, closed: false };
      live.add(stream);
    } else {
      const found = streams.get(pipeline.baton);
      if (found === undefined)
        throw new HttpError(400, "Stream not found: the baton is invalid or the stream expired", "STREAM_EXPIRED");
      // Batons are single use: the response carries a fresh one.
      streams.delete(pipeline.baton);
      clearTimeout(found.timer);
      stream = found;
    }
    const results: Record<string, unknown>[] = [];
    for (const req of pipeline.requests) {
      try {
        results.push({ type: "ok", response: await handleRequest(stream, req) });
      } catch (e) {
        if (!(e instanceof StmtError)) log({ level: "error", event: "request_failed", message: String(e) });
        results.push({ type: "error", error: toHranaError(e) });
      }
    }
    return { baton: stream.closed ? null : parkStream(stream), base_url: null, results };
  };

  const readBody = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size <= maxBody) chunks.push(buf); // past the limit: keep draining so the client still reads our 413
    }
    if (size > maxBody) throw new HttpError(413, `Request body exceeds ${maxBody} bytes`, "PAYLOAD_TOO_LARGE");
    return Buffer.concat(chunks);
  };

  const send = (res: ServerResponse, status: number, body: string, type = "text/plain"): void => {
    // Exactly "application/json": the Hrana client only parses error bodies with that content type.
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  const sendError = (res: ServerResponse, status: number, message: string, code: string): void => {
    send(res, status, JSON.stringify({ message, code }), "application/json");
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/(.)\/+$/, "$1");
    const method = req.method ?? "GET";
    if (path === "/health") return send(res, 200, "ok");
    if (jwtKey !== undefined) {
      const problem = await checkAuthorization(req.headers.authorization, jwtKey);
      if (problem !== undefined) {
        log({ level: "warn", event: "unauthorized", path, message: problem });
        // Same shape as sqld (`{"error": ...}`): the client reports it as SERVER_ERROR with status 401.
        req.resume();
        return send(res, 401, JSON.stringify({ error: `Unauthorized: ${problem}` }), "application/json");
      }
    }
    if (method === "GET" && (path === "/" || path === "/v2" || path === "/v3")) {
      return send(res, 200, "Hello, this is HTTP API v2 (Hrana over HTTP)");
    }
    if (method === "GET" && path === "/version") return send(res, 200, `zhongcao-libsql-server ${VERSION}`);
    if (method === "GET" && path === "/v1/stats") return send(res, 200, JSON.stringify(stats), "application/json");
    if (path === "/v2/pipeline" || path === "/v3/pipeline") {
      if (method !== "POST") return sendError(res, 405, "Use POST", "METHOD_NOT_ALLOWED");
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch (e) {
        throw new ProtocolError(
          `Request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
          "JSON_PARSE_ERROR",
        );
      }
      stats.pipelines++;
      return send(res, 200, JSON.stringify(await handlePipeline(body)), "application/json");
    }
    // Not served: v3-protobuf (the client then falls back to v2 JSON) and cursors (v3 only).
    req.resume();
    return sendError(res, 404, `Not found: ${method} ${path}`, "NOT_FOUND");
  };

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof ProtocolError ? 400 : 500;
      const code = e instanceof HttpError || e instanceof ProtocolError ? e.code : "INTERNAL_ERROR";
      const message = e instanceof Error ? e.message : String(e);
      log({
        level: status >= 500 ? "error" : "warn",
        event: "bad_request",
        status,
        code,
        method: req.method,
        path: req.url,
        message,
      });
      if (res.headersSent) res.destroy();
      else sendError(res, status, message, code);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((e: unknown) => {
    first.close(); // e.g. EADDRINUSE: do not keep the database open
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (state === "open") state = "closing";
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(() => {
      streams.clear();
      for (const stream of [...live]) closeStream(stream);
      const conns = idle.splice(0);
      state = "closed";
      if (conns.length === 0) conns.push(new Connection(options.dbPath));
      try {
        // Fold the WAL back into the database file so the file alone is complete.
        conns[0]?.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (e) {
        log({ level: "warn", event: "checkpoint_failed", message: String(e) });
      }
      for (const conn of conns) conn.close();
    });
    return closing;
  };

  return { url: `http://${urlHost}:${port}`, port, close };
}
