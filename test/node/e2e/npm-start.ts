// The real `npm start` for end-to-end tests: on free ports over a temporary data folder, in its own process group
// (so SIGINT reaches npm and everything under it, as Ctrl-C in a terminal does), ready once it says so.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../ports.ts";

export interface NpmStart {
  gateway: string;
  libsqlUrl: string;
  port: number;
  libsqlPort: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** demo-credentials.json as npm start wrote it. */
  credentials<T>(): Promise<T>;
  /** Resolves with the exit code, or the signal that ended it. */
  exited(): Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` to the whole group (if still running), waits for the exit, removes the data folder. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function npmStart(name: string, timeoutMs = 170_000): Promise<NpmStart> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `zhongcao-e2e-${name}-`));
  const port = await freePort();
  const libsqlPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LIBSQL_PORT: String(libsqlPort),
    ZHONGCAO_DATA_DIR: dataDir,
  };
  // The gateway tests set one in this process; npm start must mint its own.
  delete env.PLATFORM_ADMIN_KEY;
  const child = spawn("npm", ["start"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const exited = () =>
    new Promise<number | NodeJS.Signals | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
      else child.once("exit", (code, signal) => resolve(code ?? signal));
    });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up; output:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes("Ctrl-C stops everything")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}; output:\n${output}`));
    });
    check();
  });

  return {
    gateway: `http://127.0.0.1:${port}`,
    libsqlUrl: `http://127.0.0.1:${libsqlPort}`,
    port,
    libsqlPort,
    dataDir,
    child,
    output: () => output,
    credentials: async <T>() => JSON.parse(await readFile(path.join(dataDir, "demo-credentials.json"), "utf8")) as T,
    exited,
    async stop(signal = "SIGINT") {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const done = exited();
        process.kill(-child.pid, signal);
        await done;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
