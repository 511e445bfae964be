// Nothing outlives the command that started it. A process killed with SIGKILL runs no handler, so its children cannot
// be told: each long-lived process of the platform watches what started it instead, and ends its own subtree when
// that is gone. Used by dev/start.ts, dev/bundles.ts and the libSQL server (dev/libsql-server/main.ts).
// `node dev/lifeline.ts <command> [args…]` does it for a command that does not (wrangler dev): see the end.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const POLL_MS = 500;

/** Names a process this one must not outlive (a test run's pid); inherited by everything the platform starts. */
export const EXIT_WITH_ENV = "ZHONGCAO_EXIT_WITH";

/**
 * A process's state, parent and start (clock ticks after boot, which tells it from a later process given the same
 * pid) from /proc/<pid>/stat (Linux); undefined where there is none.
 */
export function procStat(pid: number): { state: string; ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]), started: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * True while a process with this pid runs (EPERM: it exists, only not ours to signal). A zombie has ended: where
 * init does not reap orphans promptly (some containers), it would otherwise look alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return procStat(pid)?.state !== "Z";
}

function parentOf(pid: number): number | undefined {
  const ppid = procStat(pid)?.ppid;
  return ppid !== undefined && Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/**
 * Under `npm start`, npm runs this process through a shell (`sh -c "node dev/start.ts"`) that stays alive when npm is
 * killed: the pids from this process's parent up to npm itself, so npm's death is seen too. Empty when not run by
 * npm, or where /proc cannot say.
 */
export function npmAncestors(): number[] {
  if (process.env.npm_lifecycle_event === undefined) return [];
  const chain: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 3 && pid > 1; depth++) {
    chain.push(pid);
    if (/(^|\/)npm(-cli\.js)?( |$)/.test(commandOf(pid))) return chain;
    const parent = parentOf(pid);
    if (parent === undefined) break;
    pid = parent;
  }
  return [];
}

/**
 * Calls `onGone` once, when this process's parent has gone (it was reparented), or any of `also`, or the process
 * named by ZHONGCAO_EXIT_WITH. Polls every 500 ms on an unref'd timer, so it never keeps a process alive by itself.
 * Returns a function that stops watching.
 */
export function exitWithParent(onGone: (reason: string) => void, also: readonly number[] = []): () => void {
  const parent = process.ppid;
  const fromEnv = Number(process.env[EXIT_WITH_ENV]);
  const watched = [...also, ...(Number.isInteger(fromEnv) && fromEnv > 0 ? [fromEnv] : [])];
  const timer = setInterval(() => {
    let reason: string | undefined;
    if (process.ppid !== parent) reason = `its parent (pid ${parent}) ended`;
    else {
      const gone = watched.find((pid) => !isAlive(pid));
      if (gone !== undefined) reason = `pid ${gone}, which it runs for, ended`;
    }
    if (reason === undefined) return;
    clearInterval(timer);
    onGone(reason);
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

// As a command, spawned as the leader of its own process group (dev/runtime.ts): runs the command in that group and,
// when its own parent is gone, signals the whole group. A signal to the group reaches the command directly; this
// process only follows its exit.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error("usage: node dev/lifeline.ts <command> [args…]");
    process.exit(2);
  }
  const child = spawn(command, args, { stdio: "inherit" });
  child.once("error", (err) => {
    console.error(err.message);
    process.exit(1);
  });
  child.once("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});
  exitWithParent(() => {
    const signalAll = (signal: NodeJS.Signals) => {
      try {
        process.kill(-process.pid, signal);
      } catch {
        // Not a group leader after all: its one child, then.
        child.kill(signal);
      }
    };
    signalAll("SIGTERM");
    setTimeout(() => signalAll("SIGKILL"), 5000).unref();
  });
}
