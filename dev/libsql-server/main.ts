// CLI: `node dev/libsql-server/main.ts [--port 8080] [--host 127.0.0.1] [--db .data/zhongcao.db]
//        [--auth-jwt-key <key> | --auth-jwt-key-file <path>] [--idle-stream-timeout-ms 10000]`
// Env fallbacks: LIBSQL_PORT, LIBSQL_HOST, LIBSQL_DB_PATH, LIBSQL_AUTH_JWT_KEY.
// Prints exactly one line on stdout once ready: "libsql server listening on http://HOST:PORT (db PATH)".
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { exitWithParent } from "../lifeline.ts";
import { startLibsqlServer } from "./server.ts";

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: "error", event: "startup_failed", message })}\n`);
  process.exit(1);
}

// Started by the platform (dev/platform.ts) it must not outlive it, even one killed with SIGKILL; watching from the
// start, so a server still opening its file ends too. Run from a terminal, the terminal's shell is the parent.
let server: Awaited<ReturnType<typeof startLibsqlServer>> | undefined;
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  if (server === undefined) process.exit(0);
  server.close().then(
    () => process.exit(0),
    (e: unknown) => fail(`shutdown failed: ${String(e)}`),
  );
};
exitWithParent(stop);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "auth-jwt-key": { type: "string" },
      "auth-jwt-key-file": { type: "string" },
      "idle-stream-timeout-ms": { type: "string" },
    },
    strict: true,
  }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const str = (v: string | boolean | undefined): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;

const port = Number(str(values.port) ?? process.env.LIBSQL_PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`invalid port ${String(values.port ?? process.env.LIBSQL_PORT)}`);
const idleArg = str(values["idle-stream-timeout-ms"]);
const idleStreamTimeoutMs = idleArg === undefined ? undefined : Number(idleArg);
if (idleStreamTimeoutMs !== undefined && !(idleStreamTimeoutMs > 0))
  fail(`invalid --idle-stream-timeout-ms ${idleArg}`);
const keyFile = str(values["auth-jwt-key-file"]);
const authJwtKey =
  str(values["auth-jwt-key"]) ??
  (keyFile ? readFileSync(keyFile, "utf8") : undefined) ??
  str(process.env.LIBSQL_AUTH_JWT_KEY);
const dbPath = str(values.db) ?? str(process.env.LIBSQL_DB_PATH) ?? ".data/zhongcao.db";

server = await startLibsqlServer({
  port,
  host: str(values.host) ?? str(process.env.LIBSQL_HOST) ?? "127.0.0.1",
  dbPath,
  authJwtKey,
  idleStreamTimeoutMs,
}).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));

process.stdout.write(`libsql server listening on ${server.url} (db ${dbPath})\n`);
