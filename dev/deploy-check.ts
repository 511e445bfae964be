// `npm run deploy:check`: what a deploy would upload, checked offline before one. Each Worker is bundled with
// `wrangler deploy --dry-run` (which also validates its wrangler.toml: bindings, Durable Object migrations) and its
// startup is profiled in local workerd with `wrangler check startup`. Prints one row per Worker and fails when a
// bundle or a startup passes its budget, kept well under Cloudflare's limits (workers/platform/limits): 3 MB gzip
// on the Free plan (10 MB on Paid) and 1 s of startup (global scope parse and run).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bundleWorker, offline, workers, wranglerBin } from "./workers.ts";

const run = promisify(execFile);

/** Half of each limit: room to grow, and the startup figure is measured on a different CPU than Cloudflare's. */
const budget = { gzipKiB: 1536, startupMs: 500 };

function figure(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output);
  if (!match?.[1]) throw new Error(`no ${what} in wrangler's output:\n${output}`);
  return Number(match[1]);
}

const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-deploy-check-"));
try {
  const rows: string[] = [];
  let failed = false;
  for (const worker of workers) {
    const built = await bundleWorker(worker, path.join(dir, worker.name));
    const kib = figure(built, /Total Upload: ([\d.]+) KiB/, "upload size");
    const gzipKiB = figure(built, /gzip: ([\d.]+) KiB/, "gzip size");
    const { stdout, stderr } = await run(
      process.execPath,
      [wranglerBin, "check", "startup", "-c", worker.config, "--outfile", path.join(dir, `${worker.name}.cpuprofile`)],
      { env: { ...process.env, ...offline } },
    );
    const startupMs = figure(`${stdout}${stderr}`, /Active: ([\d.]+) ms/, "startup time");
    const over = gzipKiB > budget.gzipKiB || startupMs > budget.startupMs;
    failed ||= over;
    rows.push(
      `| ${worker.name} | ${kib.toFixed(0)} | ${gzipKiB.toFixed(0)} | ${startupMs.toFixed(1)} | ${over ? "OVER BUDGET" : "ok"} |`,
    );
  }
  console.log(
    [
      `| Worker | bundle KiB | gzip KiB (budget ${budget.gzipKiB}; limit 3,072 Free, 10,240 Paid) | startup ms (budget ${budget.startupMs}; limit 1,000) | |`,
      "|---|---:|---:|---:|---|",
      ...rows,
    ].join("\n"),
  );
  if (failed) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
