// The platform's five Workers and their Durable Objects, run one of two ways: `bundles` (`npm start`, end-to-end
// tests, benchmarks: each Worker's deploy bundle in one Miniflare, so what is deployed is what runs and is measured)
// or `reload` (`npm run dev`: one `wrangler dev`, reloading on edits, slower through its dev proxy). Both take each
// wrangler.toml's [vars] and [secrets], a value in the environment winning.
// Design: docs/development.md#running-the-platform
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { offline, workers, wranglerBin } from "./workers.ts";

export interface RuntimeOptions {
  port: number;
  dataDir: string;
  /** Environment the Workers' bindings are read from on top of this process's: the local database, secrets. */
  env: Record<string, string>;
  /** Where its output goes: this process's, nowhere, or a function that reads it as it comes (never left unread). */
  stdio: Output;
}

export type Output = "inherit" | "ignore" | ((text: string) => void);

export interface Runtime {
  /** Resolves if the runtime ends by itself (a crash). */
  exited: Promise<void>;
  stop(): Promise<void>;
  /**
   * Ends it at once (SIGKILL to its whole group): for a process 'exit' handler, where nothing can be awaited. Not
   * SIGTERM: a runtime whose event loop is stuck would ignore it and outlive the command; the state it keeps is
   * crash-safe by design (the platform is tested through SIGKILL).
   */
  kill(): void;
}

/** Resolves when the child process has ended. */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Signals the child's process group; false when the group is empty. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    // The leader ended by itself (a crash, a SIGKILL): workerd does not notice and would keep its port. It is still
    // in the group, which outlives its leader while any member lives.
    signalGroup(child, "SIGKILL");
    return;
  }
  const exited = exitOf(child);
  // wrangler starts workerd as its own child: signal the whole process group.
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Runs `args` with node in its own process group (workerd under it), its bindings' values in its environment. */
function spawnGroup(args: string[], options: RuntimeOptions): Runtime {
  const output = options.stdio;
  const stdio = typeof output === "function" ? "pipe" : output;
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", stdio, stdio],
    env: { ...process.env, ...options.env, ...offline, NO_UPDATE_NOTIFIER: "1" },
  });
  if (typeof output === "function") {
    for (const stream of [child.stdout, child.stderr]) stream?.setEncoding("utf8").on("data", output);
  }
  // Whatever is left in the group once its leader has ended (workerd, if the leader was killed) goes with it.
  child.once("exit", () => signalGroup(child, "SIGKILL"));
  return { exited: exitOf(child), stop: () => stopGroup(child), kill: () => void signalGroup(child, "SIGKILL") };
}

export async function startBundles(options: RuntimeOptions): Promise<Runtime> {
  return spawnGroup(["dev/bundles.ts", "--port", String(options.port), "--data-dir", options.dataDir], {
    ...options,
    // wrangler says which secrets it took from the environment for every Worker: only its warnings.
    env: { ...options.env, WRANGLER_LOG: "warn" },
  });
}

export async function startWranglerDev(options: RuntimeOptions): Promise<Runtime> {
  // wrangler does not watch its parent: dev/lifeline.ts as a command leads the group and ends it when this process is
  // gone, even killed with SIGKILL.
  return spawnGroup(
    [
      "dev/lifeline.ts",
      process.execPath,
      wranglerBin,
      "dev",
      ...workers.flatMap((w) => ["-c", w.config]),
      "--ip",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--persist-to",
      path.join(options.dataDir, "wrangler"),
      "--show-interactive-dev-session=false",
      "--log-level",
      "info",
    ],
    options,
  );
}
