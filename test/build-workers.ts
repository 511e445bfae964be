// The gateway's tests run it inside workerd with the other Workers beside it, and a Worker that binds another one's
// Durable Objects (catalog and live bind checkout's WebhookDispatcher) runs with that one beside it; those are
// bundled here, offline, with the same `wrangler deploy --dry-run` a deploy would run, and described from their own
// wrangler.toml.
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { bundleWorker, type WorkerInfo, workers } from "../dev/workers.ts";

type DurableObjectBinding = { name: string; class_name: string; script_name?: string };

/** The Workers whose Durable Objects `worker` binds (`script_name`). */
export function workersBoundBy(worker: WorkerInfo): WorkerInfo[] {
  const config = unstable_readConfig({ config: worker.config });
  const scripts = new Set(config.durable_objects.bindings.flatMap((b: DurableObjectBinding) => b.script_name ?? []));
  return workers.filter((w) => scripts.has(w.service));
}

/**
 * `beside` (by default every Worker but the gateway) as Miniflare's auxiliary workers, bundled under `project`'s own
 * folder so projects starting together never write one bundle at once; `bindings` on top of each one's own.
 */
export async function backendWorkers(
  bindings: { LIBSQL_URL: string; LIBSQL_AUTH_TOKEN: string } & Record<string, string>,
  beside: readonly WorkerInfo[] = workers.filter((w) => w.name !== "gateway"),
  project = "gateway",
) {
  return Promise.all(
    beside.map(async (worker) => {
      const outdir = path.resolve(".wrangler/test-build", project, worker.name);
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
          config.durable_objects.bindings.map((b: DurableObjectBinding) => [
            b.name,
            b.script_name
              ? { className: b.class_name, scriptName: b.script_name }
              : { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) },
          ]),
        ),
        bindings: { ...vars, ...secrets, ...bindings },
      };
    }),
  );
}
