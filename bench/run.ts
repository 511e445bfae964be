// `npm run bench [-- name…]`: runs the named benchmarks (all by default), prints each table and writes
// bench/RESULTS.md. Figures are relative: every row stands beside a baseline measured in the same run.
import { readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { benchAnalytics } from "./analytics.ts";
import { benchCatalog } from "./catalog.ts";
import { benchDb } from "./db.ts";
import { benchFestival } from "./festival.ts";
import { benchFlashModel } from "./flash-model.ts";
import { benchFlashSale } from "./flash-sale.ts";
import { benchForget } from "./forget.ts";
import { benchLive } from "./live.ts";
import { benchMedia } from "./media.ts";
import { benchPages } from "./pages.ts";
import { benchRecommend } from "./recommend.ts";
import { benchSearch } from "./search.ts";
import { benchWebhookDispatch } from "./webhook-dispatch.ts";
import { benchWebhooks } from "./webhooks.ts";

const benchmarks: Record<string, () => Promise<string>> = {
  db: benchDb,
  catalog: benchCatalog,
  "flash-sale": benchFlashSale,
  "flash-model": benchFlashModel,
  live: benchLive,
  search: benchSearch,
  webhooks: benchWebhooks,
  "webhook-dispatch": benchWebhookDispatch,
  festival: benchFestival,
  analytics: benchAnalytics,
  recommend: benchRecommend,
  forget: benchForget,
  media: benchMedia,
  pages: benchPages,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}

// RESULTS.md keeps the sections of the benchmarks not run this time (each section starts with `## <name>:`).
const resultsFile = new URL("./RESULTS.md", import.meta.url);
const previous = await readFile(resultsFile, "utf8").catch(() => "");
const sections = new Map<string, string>();
for (const section of previous.split(/\n(?=## )/).slice(1)) {
  const name = /^## ([\w-]+):/.exec(section)?.[1];
  if (name && name in benchmarks) sections.set(name, section.trim());
}

for (const name of requested.length > 0 ? requested : Object.keys(benchmarks)) {
  const run = benchmarks[name];
  if (!run) continue;
  const section = `${await run()}\n\n_Measured ${new Date().toISOString()} by \`npm run bench -- ${name}\`._`;
  console.log(`${section}\n`);
  sections.set(name, section);
}

const header = `# Benchmark results\n\nThe latest run of each benchmark, on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, by \`npm run bench\`; written ${new Date().toISOString()}.\n`;
const ordered = Object.keys(benchmarks).flatMap((name) => sections.get(name) ?? []);
await writeFile(resultsFile, `${header}\n${ordered.join("\n\n")}\n`);
