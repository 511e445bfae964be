// Where the time goes: CPU of the processes a benchmark started (this one and its descendants: workerd, the libSQL
// server, Miniflare's host) by role, and of the whole machine, read from /proc (Linux).
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

interface ProcessCpu {
  pid: number;
  role: string;
  ticks: number;
}

export interface CpuSnapshot {
  processes: ProcessCpu[];
  machine: { busy: number; total: number };
  at: number;
}

// Linux counts /proc times in USER_HZ ticks, 100 a second on every architecture it runs on.
const TICKS_PER_SECOND = 100;

/** The role that workerd plays in every table: one thread serving every Worker and Durable Object. */
export const WORKERD = "workerd (every Worker)";
export const LIBSQL_SERVER = "libSQL server";

async function readStat(pid: number): Promise<{ ppid: number; ticks: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** This process and its descendants (wrangler, workerd, the libSQL server): pid → its CPU ticks so far. */
export async function ourProcessTree(): Promise<Map<number, number>> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const pid of pids) {
    const stat = await readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const ours = new Map([[process.pid, stats.get(process.pid)?.ticks ?? 0]]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid, ticks }] of stats) {
      if (!ours.has(pid) && ours.has(ppid)) {
        ours.set(pid, ticks);
        grew = true;
      }
    }
  }
  return ours;
}

/** Our processes, each with its role by its command line. */
async function ourProcesses(): Promise<ProcessCpu[]> {
  const result: ProcessCpu[] = [];
  for (const [pid, ticks] of await ourProcessTree()) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const role =
      pid === process.pid
        ? "load generator (this process)"
        : cmdline.includes("workerd")
          ? WORKERD
          : cmdline.includes("libsql-server")
            ? LIBSQL_SERVER
            : cmdline.includes("bundles.ts")
              ? "Miniflare (node, dev/bundles.ts)"
              : "esbuild, wrangler and npm (other children)";
    result.push({ pid, role, ticks });
  }
  return result;
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
  const [, ...values] = line.trim().split(/\s+/).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export async function cpuSnapshot(): Promise<CpuSnapshot> {
  return { processes: await ourProcesses(), machine: await machineTicks(), at: performance.now() };
}

/**
 * A reader of the CPU seconds so far of workerd's main thread, the one that runs every Worker and object (its other
 * threads and the kernel's work for it are not on a request's path): the thread's own schedstat, cheap enough to
 * read once a request.
 */
export async function workerdThread(): Promise<() => number> {
  const workerd = (await ourProcesses()).find((p) => p.role === WORKERD);
  if (!workerd) return () => 0;
  const file = `/proc/${workerd.pid}/task/${workerd.pid}/schedstat`;
  return () => Number(readFileSync(file, "utf8").split(" ")[0]) / 1e9;
}

/** CPU seconds each role used between two snapshots. */
export function cpuSecondsByRole(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const p of after.processes) {
    const was = before.processes.find((q) => q.pid === p.pid)?.ticks ?? 0;
    seconds.set(p.role, (seconds.get(p.role) ?? 0) + (p.ticks - was) / TICKS_PER_SECOND);
  }
  return seconds;
}

/** Cores used by each role between two snapshots, the rest of the machine as "everything else". */
export function coresByRole(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const elapsed = (after.at - before.at) / 1000;
  const cores = new Map<string, number>();
  let ours = 0;
  for (const [role, seconds] of cpuSecondsByRole(before, after)) {
    ours += seconds / elapsed;
    cores.set(role, seconds / elapsed);
  }
  const busy = (after.machine.busy - before.machine.busy) / TICKS_PER_SECOND / elapsed;
  cores.set("everything else on the machine", Math.max(0, busy - ours));
  return cores;
}
