// `npm run bench -- catalog`: a product read and a feed read through the gateway of the real platform
// (`npm start`'s stack on free ports), at 32 concurrent clients, beside `GET /health` measured in the same run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { demo } from "../dev/demo.ts";
import { startPlatform } from "../dev/platform.ts";
import { freePort } from "../dev/ports.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const clients = 32;
const requests = Number(process.env.BENCH_CATALOG_REQUESTS ?? 3000);

async function get(url: string): Promise<void> {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
}

export async function benchCatalog(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-catalog-"));
  const platform = await startPlatform({
    port: await freePort(),
    libsqlPort: await freePort(),
    dataDir,
    stdio: "ignore",
  });
  try {
    const productId = demo.products[0]?.id ?? "";
    const routes = [
      ["GET /health", `${platform.gatewayUrl}/health`],
      ["GET /v1/products/{id}", `${platform.gatewayUrl}/v1/products/${productId}`],
      ["GET /v1/feed?type=discover", `${platform.gatewayUrl}/v1/feed?type=discover`],
    ] as const;
    const results = new Map<string, Row>();
    for (const [name, url] of routes) {
      await measure("warm-up", clients, 300, () => get(url));
      results.set(name, summarise(await measure(name, clients, requests, () => get(url))));
    }
    const baseline = results.get("GET /health");
    if (!baseline) throw new Error("no baseline");
    const rows = [...results.values()].filter((r) => r !== baseline).map((row) => ({ row, baseline }));
    return [
      "## catalog: reads through the gateway",
      "",
      `${requests} requests per route from ${clients} concurrent clients over keep-alive HTTP, against \`npm start\`'s stack (wrangler dev, one workerd) and the local libSQL server; the client shares the machine's cores. Baseline: \`GET /health\` (the gateway, one database ping and an RPC to each of the four Workers, each of which pings the database).`,
      "",
      table(rows),
    ].join("\n");
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
