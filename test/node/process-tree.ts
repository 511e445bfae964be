// The processes a test started, found the way `ps` does (from /proc, so Linux only; elsewhere none are found): a
// tree spans process groups (the runtime leads its own), so a group's signal alone does not say what is left.
import { readdirSync, readFileSync } from "node:fs";
import { procStat } from "../../dev/lifeline.ts";

/** A process as /proc shows it; `started` tells it from a later one given the same pid. */
export interface Proc {
  pid: number;
  ppid: number;
  state: string;
  started: string;
}

/** The process with this pid, if there is one. */
export function processOf(pid: number): Proc | undefined {
  const stat = procStat(pid);
  return stat && { pid, ...stat };
}

/** Every process running now that descends from `pid`, whatever its process group. */
export function descendants(pid: number): Proc[] {
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    // no /proc
  }
  const children = new Map<number, Proc[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = processOf(Number(entry));
    if (proc === undefined || proc.state === "Z") continue;
    children.set(proc.ppid, [...(children.get(proc.ppid) ?? []), proc]);
  }
  const found: Proc[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The process and every process descending from it now. */
export function processTree(pid: number): Proc[] {
  const self = processOf(pid);
  return [...(self ? [self] : []), ...descendants(pid)];
}

/** The process itself, if it runs (a zombie has ended; so has a later process that was given its pid). */
export function isRunning(proc: Proc): boolean {
  const now = processOf(proc.pid);
  return now !== undefined && now.state !== "Z" && now.started === proc.started;
}

/** Those of `procs` still running after up to `timeoutMs` (none, as soon as none are). */
export async function stillRunning(procs: readonly Proc[], timeoutMs: number): Promise<Proc[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = procs.filter(isRunning);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL for each of `procs` still running. */
export function killAll(procs: readonly Proc[]): void {
  for (const proc of procs.filter(isRunning)) {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
}

/** Its command line, arguments separated by spaces; empty once it has gone. */
export function commandOf(proc: Proc): string {
  try {
    return readFileSync(`/proc/${proc.pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** `ps`-like lines (pid, state, command), for an assertion's message. */
export function listProcesses(procs: readonly Proc[]): string {
  return procs
    .map((proc) => `${proc.pid} ${processOf(proc.pid)?.state ?? "-"} ${commandOf(proc).slice(0, 160)}`)
    .join("\n");
}
