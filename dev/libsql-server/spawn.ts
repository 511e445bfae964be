// Run the local libSQL server as a child process (for tests and scripts) and wait until it is ready.

import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface SpawnOptions {
  dbPath: string;
  port?: number;
  authJwtKey?: string;
  idleStreamTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Give up waiting for the ready line after this long (default 30 s). */
  readyTimeoutMs?: number;
}

export interface SpawnedLibsqlServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Send `signal` (default SIGTERM) and wait for the exit; resolves with the exit code (null if killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const READY = /libsql server listening on (http:\/\/\S+):(\d+)/;

export function spawnLibsqlServer(options: SpawnOptions): Promise<SpawnedLibsqlServer> {
  const args = [
    "--disable-warning=ExperimentalWarning",
    MAIN,
    "--db",
    options.dbPath,
    "--port",
    String(options.port ?? 0),
  ];
  // `--opt=value` form: a PEM key starts with dashes and would otherwise be read as an option.
  if (options.authJwtKey !== undefined) args.push(`--auth-jwt-key=${options.authJwtKey}`);
  if (options.idleStreamTimeoutMs !== undefined)
    args.push("--idle-stream-timeout-ms", String(options.idleStreamTimeoutMs));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: false,
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });

  return new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`libsql server not ready after ${options.readyTimeoutMs ?? 30_000} ms\n${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`libsql server exited before ready (code ${code}, signal ${signal})\n${stderr}`));
    });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const m = READY.exec(stdout);
      if (m?.[1] === undefined || m[2] === undefined) return;
      clearTimeout(timer);
      const port = Number(m[2]);
      resolve({
        url: `${m[1]}:${port}`,
        port,
        child,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}
