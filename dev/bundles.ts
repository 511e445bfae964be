// `node dev/bundles.ts --port N --data-dir DIR` (started by dev/runtime.ts): every Worker bundled exactly as a deploy
// uploads it (`wrangler deploy --dry-run`), then all of them in one Miniflare: one workerd, service bindings
// in-process, its socket serving the gateway directly. Bindings as wrangler reads them: each wrangler.toml's [vars]
// and [secrets], a value in this process's environment winning. Ends on SIGTERM/SIGINT (with workerd, its child),
// and when its parent is gone (dev/lifeline.ts): workerd does not notice its parent's death, so this process must.
// Miniflare runs no cron trigger by itself: this process fires each Worker's [triggers] crons, every one of which
// is once a minute, at the start of each minute, as Cloudflare would (the checkout Worker's webhook sweep). It fires
// them over HTTP (Miniflare's /cdn-cgi/local/scheduled), never through `mf.getWorker()`: that proxy blocks this
// thread (Atomics.wait) while workerd answers, and workerd, blocked writing its logs to this process, never does.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { exitWithParent } from "./lifeline.ts";
import { bundleWorker, type WorkerInfo, workers } from "./workers.ts";

type ModuleRule = { type: string; include: string[] };
type ModuleType = "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm";

/** A bundle's files as Miniflare modules, the entry first, each typed by the config's module rules as wrangler does. */
async function bundleModules(dir: string, rules: ModuleRule[]): Promise<{ type: ModuleType; path: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && !e.name.endsWith(".map") && e.name !== "README.md")
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort((a, b) => Number(b === "index.js") - Number(a === "index.js"));
  return files.map((file) => {
    // wrangler names an additional module `<sha1>-<its source name>`: the rules match the source name.
    const source = path.join(path.dirname(file), path.basename(file).replace(/^[0-9a-f]{40}-/, ""));
    const rule = rules.find((r) => r.include.some((glob) => path.matchesGlob(source, glob)));
    return { type: (rule?.type ?? "ESModule") as ModuleType, path: path.join(dir, file) };
  });
}

async function workerOptions(worker: WorkerInfo, bundleDir: string) {
  await bundleWorker(worker, bundleDir);
  const { modulesRules, ...options } = unstable_getMiniflareWorkerOptions(worker.config).workerOptions;
  const modules = await bundleModules(bundleDir, (modulesRules ?? []) as ModuleRule[]);
  return { ...options, name: worker.service, modules, modulesRoot: bundleDir };
}

let mf: Miniflare | undefined;
exitWithParent((reason) => {
  console.error(`the Workers' runtime is stopping: ${reason}`);
  // Disposing ends workerd; should that hang, exiting still does (Miniflare kills workerd on this process's exit).
  setTimeout(() => process.exit(1), 3000).unref();
  void Promise.resolve(mf?.dispose()).finally(() => process.exit(1));
});

const { values } = parseArgs({ options: { port: { type: "string" }, "data-dir": { type: "string" } } });
const dataDir = path.resolve(values["data-dir"] ?? ".data");
const bundles = path.join(dataDir, "bundles");
await rm(bundles, { recursive: true, force: true });
const options = [];
// One at a time: in parallel they only fight over the cores.
for (const worker of workers) options.push(await workerOptions(worker, path.join(bundles, worker.name)));

mf = new Miniflare(
  convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: Number(values.port ?? 8787),
    // No request to Cloudflare for the `cf` object: a fixed local one.
    cf: false,
    log: new Log(LogLevel.WARN),
    // The Workers log every request themselves (shared/http.ts).
    logRequests: false,
    // /cdn-cgi/local/scheduled, for the crons below.
    unsafeTriggerHandlers: true,
    // Where `wrangler dev --persist-to <data>/wrangler` keeps Durable Object storage, so `npm run dev` finds it too.
    resourcePersistencePath: path.join(dataDir, "wrangler", "v3"),
    workers: options,
  }),
);
await mf.ready;

/** Fires every Worker's cron triggers at the start of each minute (each is "* * * * *"; anything else is refused). */
async function fireCrons(): Promise<void> {
  const scheduled = workers.flatMap((worker) => {
    const crons: string[] = unstable_readConfig({ config: worker.config }).triggers.crons ?? [];
    for (const cron of crons) {
      if (cron !== "* * * * *") throw new Error(`${worker.config}: only "* * * * *" crons run locally, not "${cron}"`);
    }
    return crons.map((cron) => ({ service: worker.service, cron }));
  });
  if (scheduled.length === 0) return;
  const fire = async () => {
    setTimeout(fire, 60_000 - (Date.now() % 60_000)).unref();
    const scheduledTime = new Date(Date.now() - (Date.now() % 60_000));
    for (const { service, cron } of scheduled) {
      try {
        const url = `http://127.0.0.1/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}&time=${scheduledTime.getTime()}`;
        // MF-Route-Override names the Worker whose scheduled handler runs.
        const res = await mf?.dispatchFetch(url, { headers: { "MF-Route-Override": service } });
        const outcome = await res?.text();
        if (res && !res.ok) throw new Error(`outcome ${outcome}`);
      } catch (err) {
        console.error(`cron ${cron} of ${service} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  setTimeout(fire, 60_000 - (Date.now() % 60_000)).unref();
}
await fireCrons();
