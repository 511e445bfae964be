// The gateway's tests run it inside workerd with the other Workers beside it; those are bundled here, offline,
// with the same `wrangler deploy --dry-run` a deploy would run, and described from their own wrangler.toml.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { workers } from "../dev/workers.ts";

const run = promisify(execFile);

export async function backendWorkers(bindings: { LIBSQL_URL: string; LIBSQL_AUTH_TOKEN: string }) {
  // wrangler reads each config's [secrets] from the environment: hand it the test token so none is missing.
  process.env.LIBSQL_AUTH_TOKEN = bindings.LIBSQL_AUTH_TOKEN;
  const backends = workers.filter((w) => w.name !== "gateway");
  return Promise.all(
    backends.map(async (worker) => {
      const outdir = path.resolve(".wrangler/test-build", worker.name);
      await run(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "-c", worker.config, "--outdir", outdir], {
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      });
      // The bundle is already built, so module rules (which the pool cannot convert) have nothing left to do.
      const { compatibilityDate, compatibilityFlags, durableObjects, bindings: vars } =
        unstable_getMiniflareWorkerOptions(worker.config).workerOptions;
      return {
        name: worker.service,
        modules: true,
        scriptPath: path.join(outdir, "index.js"),
        compatibilityDate,
        compatibilityFlags,
        durableObjects,
        bindings: { ...vars, ...bindings },
      };
    }),
  );
}
