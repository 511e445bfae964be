// The platform's Workers, in the order `wrangler dev` takes their configs: the gateway first, since it gets the port.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

export interface WorkerInfo {
  name: "gateway" | "catalog" | "search" | "checkout" | "live";
  /** The Worker's name in its wrangler.toml, which service bindings name. */
  service: string;
  config: string;
  dir: string;
}

export const workers: readonly WorkerInfo[] = [
  { name: "gateway", service: "zhongcao-gateway", config: "wrangler.toml", dir: "workers/gateway" },
  { name: "catalog", service: "zhongcao-catalog", config: "workers/catalog/wrangler.toml", dir: "workers/catalog" },
  { name: "search", service: "zhongcao-search", config: "workers/search/wrangler.toml", dir: "workers/search" },
  { name: "checkout", service: "zhongcao-checkout", config: "workers/checkout/wrangler.toml", dir: "workers/checkout" },
  { name: "live", service: "zhongcao-live", config: "workers/live/wrangler.toml", dir: "workers/live" },
];

/**
 * Bundles a Worker offline exactly as a deploy would (`wrangler deploy --dry-run`) into `outdir`; returns wrangler's
 * output, which names the upload size ("Total Upload: … KiB / gzip: … KiB").
 */
export async function bundleWorker(worker: WorkerInfo, outdir: string): Promise<string> {
  const { stdout, stderr } = await runFile(
    process.execPath,
    [wranglerBin, "deploy", "--dry-run", "-c", worker.config, "--outdir", outdir],
    // The [build] command runs `node`: this one, whoever started us.
    {
      env: {
        ...process.env,
        ...offline,
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
      },
    },
  );
  return `${stdout}${stderr}`;
}

export const wranglerBin = "node_modules/wrangler/bin/wrangler.js";

/** What every wrangler run of ours sets: no telemetry, no fetching of Cloudflare's request metadata. */
export const offline = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } as const;

const runFile = promisify(execFile);
