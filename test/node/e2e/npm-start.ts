// The real `npm start` for end-to-end tests: on free ports over a temporary data folder, in its own process group
// (so SIGINT reaches npm and everything under it, as Ctrl-C in a terminal does), ready once it says so.
// It must not outlive the test run, however that ends: it watches this process (ZHONGCAO_EXIT_WITH, dev/lifeline.ts),
// this process signals it on its way out, and every instance a test file left running is stopped after the file.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { EXIT_WITH_ENV } from "../../../dev/lifeline.ts";
import { freePort } from "../ports.ts";
import { killAll, type Proc, processTree, stillRunning } from "../process-tree.ts";

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
  /**
   * Sends `signal` to the whole group (if still running), waits until npm and every process under it has ended
   * (across process groups; SIGKILL for what is left after 15 s), removes the data folder if it made it.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Every `npm start` of this process still running: signalled synchronously if this process ends first. */
const running = new Set<ChildProcess>();
/** Each one's processes once it was up. */
const trees = new WeakMap<ChildProcess, Proc[]>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function signalAll(): void {
  for (const child of running) signalGroup(child, "SIGTERM");
}

// On a signal, the same, then the signal's usual end unless someone else handles it: a listener alone would keep
// this process alive.
const endSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
function onSignal(signal: NodeJS.Signals): void {
  signalAll();
  unwatch();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function watch(child: ChildProcess): void {
  if (running.size === 0) {
    process.on("exit", signalAll);
    for (const s of endSignals) process.on(s, onSignal);
  }
  running.add(child);
}

function unwatch(child?: ChildProcess): void {
  if (child !== undefined) running.delete(child);
  if (child !== undefined && running.size > 0) return;
  process.off("exit", signalAll);
  for (const s of endSignals) process.off(s, onSignal);
}

function treeOf(child: ChildProcess): Proc[] {
  return child.pid === undefined ? [] : processTree(child.pid);
}

/**
 * Signals npm's group, waits for npm, then for every process that was under it (`known`, and those under it now):
 * SIGKILL for what is left after 15 s.
 */
async function stopTree(child: ChildProcess, signal: NodeJS.Signals, known: readonly Proc[] = []): Promise<void> {
  // Before the signal: once npm has gone, nothing links its tree to it (the runtime leads its own group).
  const tree = [...known, ...treeOf(child)];
  const ended = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 15_000);
  await ended;
  clearTimeout(timer);
  killAll(await stillRunning(tree, 15_000));
  unwatch(child);
}

export interface NpmStartOptions {
  timeoutMs?: number;
  /** Free ones unless given. */
  port?: number;
  libsqlPort?: number;
  /** A temporary folder, removed on stop, unless given: one given is the caller's to remove. */
  dataDir?: string;
  /** Settings on top of this process's environment (a Worker's [vars] value, e.g. RATE_LIMITS). */
  env?: Record<string, string>;
}

export async function npmStart(name: string, options: NpmStartOptions = {}): Promise<NpmStart> {
  const timeoutMs = options.timeoutMs ?? 170_000;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), `zhongcao-e2e-${name}-`)));
  const port = options.port ?? (await freePort());
  const libsqlPort = options.libsqlPort ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PORT: String(port),
    LIBSQL_PORT: String(libsqlPort),
    ZHONGCAO_DATA_DIR: dataDir,
    // The platform ends with this process, even killed with SIGKILL.
    [EXIT_WITH_ENV]: String(process.pid),
  };
  // The gateway tests set one in this process; npm start must mint its own.
  delete env.PLATFORM_ADMIN_KEY;
  const child = spawn("npm", ["start"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  watch(child);
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

  try {
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
  } catch (err) {
    await stopTree(child, "SIGTERM");
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  // The whole tree while it is up: stop() must find it even if npm has ended meanwhile.
  const tree = treeOf(child);
  trees.set(child, tree);

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
      await stopTree(child, signal, tree);
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One `npm start` for a whole test file: started now, stopped with `signal` after the file's tests. */
export async function npmStartForFile(name: string, options: NpmStartOptions = {}, signal: NodeJS.Signals = "SIGINT") {
  const platform = await npmStart(name, options);
  afterAll(() => platform.stop(signal), 30_000);
  return platform;
}

// A file whose setup failed half-way (a browser that did not launch beside a platform that did) may never reach
// its own stop: whatever is still running after the file is stopped here.
afterAll(async () => {
  await Promise.all([...running].map((child) => stopTree(child, "SIGTERM", trees.get(child))));
});
