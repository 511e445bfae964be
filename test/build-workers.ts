// The gateway's tests run it inside workerd with the other Workers beside it; those are bundled here, offline,
// with the same `wrangler deploy --dry-run` a deploy would run, and described from their own wrangler.toml.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { unstable_readConfig } from "wrangler";
import { workers } from "../dev/workers.ts";

const run = promisify(execFile);

export async function backendWorkers(bindings: { LIBSQL_URL: string; LIBSQL_AUTH_TOKEN: string }) {
  const backends = workers.filter((w) => w.name !== "gateway");
  return Promise.all(
    backends.map(async (worker) => {
      const outdir = path.resolve(".wrangler/test-build", worker.name);
      await run(
        process.execPath,
        ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "-c", worker.config, "--outdir", outdir],
        { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
      );
      const config = unstable_readConfig({ config: worker.config });
      const sqliteClasses = new Set(
        config.migrations.flatMap((m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? []),
      );
      const vars = Object.fromEntries(Object.entries(config.vars).map(([k, v]) => [k, String(v)]));
      // Secrets come from the environment, as `wrangler dev` takes them (see [secrets] in each config).
      const required: string[] = config.secrets?.required ?? [];
      const secrets = Object.fromEntries(required.map((name) => [name, process.env[name] ?? ""]));
      return {
        name: config.name ?? worker.service,
        modules: true,
        scriptPath: path.join(outdir, "index.js"),
        compatibilityDate: config.compatibility_date,
        compatibilityFlags: config.compatibility_flags,
        durableObjects: Object.fromEntries(
          config.durable_objects.bindings.map((b: { name: string; class_name: string }) => [
            b.name,
            { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) },
          ]),
        ),
        bindings: { ...vars, ...secrets, ...bindings },
      };
    }),
  );
}
