// The gateway's tests run it inside workerd with the other Workers beside it; those are bundled here, offline,
// with the same `wrangler deploy --dry-run` a deploy would run, and described from their own wrangler.toml.
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { bundleWorker, workers } from "../dev/workers.ts";

export async function backendWorkers(bindings: { LIBSQL_URL: string; LIBSQL_AUTH_TOKEN: string }) {
  const backends = workers.filter((w) => w.name !== "gateway");
  return Promise.all(
    backends.map(async (worker) => {
      const outdir = path.resolve(".wrangler/test-build", worker.name);
      await bundleWorker(worker, outdir);
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
