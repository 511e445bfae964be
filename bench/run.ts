// `npm run bench [-- name…]`: runs the named benchmarks (all by default), prints each table and writes
// bench/RESULTS.md. Figures are relative: every row stands beside a baseline measured in the same run.
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { benchCatalog } from "./catalog.ts";
import { benchDb } from "./db.ts";
import { benchFlashSale } from "./flash-sale.ts";
import { benchLive } from "./live.ts";
import { benchSearch } from "./search.ts";
import { benchWebhooks } from "./webhooks.ts";

const benchmarks: Record<string, () => Promise<string>> = {
  db: benchDb,
  catalog: benchCatalog,
  "flash-sale": benchFlashSale,
  live: benchLive,
  search: benchSearch,
  webhooks: benchWebhooks,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}

const sections: string[] = [];
for (const name of requested.length > 0 ? requested : Object.keys(benchmarks)) {
  const run = benchmarks[name];
  if (!run) continue;
  const section = await run();
  console.log(`${section}\n`);
  sections.push(section);
}

const header = `# Benchmark results\n\nMeasured ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, by \`npm run bench\`.\n`;
await writeFile(new URL("./RESULTS.md", import.meta.url), `${header}\n${sections.join("\n\n")}\n`);
