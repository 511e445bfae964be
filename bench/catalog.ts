// `npm run bench -- catalog`: a product read and a feed read through the gateway of the real platform
// (`npm start`'s stack on free ports), at 32 concurrent clients, beside `GET /health` measured in the same run.
import { demo } from "../dev/demo.ts";
import { getOk, withPlatform } from "./platform.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const clients = 32;
const requests = Number(process.env.BENCH_CATALOG_REQUESTS ?? 3000);

export async function benchCatalog(): Promise<string> {
  return withPlatform("catalog", async (platform) => {
    const productId = demo.products[0]?.id ?? "";
    const routes = [
      ["GET /health", `${platform.gatewayUrl}/health`],
      ["GET /v1/products/{id}", `${platform.gatewayUrl}/v1/products/${productId}`],
      ["GET /v1/feed?type=discover", `${platform.gatewayUrl}/v1/feed?type=discover`],
    ] as const;
    const results = new Map<string, Row>();
    for (const [name, url] of routes) {
      await measure("warm-up", clients, 300, () => getOk(url));
      results.set(name, summarise(await measure(name, clients, requests, () => getOk(url))));
    }
    const baseline = results.get("GET /health");
    if (!baseline) throw new Error("no baseline");
    const rows = [...results.values()].filter((r) => r !== baseline).map((row) => ({ row, baseline }));
    return [
      "## catalog: reads through the gateway",
      "",
      `${requests} requests per route from ${clients} concurrent clients over keep-alive HTTP, against \`npm start\`'s stack (every Worker's deploy bundle in one workerd) and the local libSQL server; the client shares the machine's cores. Baseline: \`GET /health\` (the gateway, one database ping and an RPC to each of the four Workers, each of which pings the database).`,
      "",
      table(rows),
    ].join("\n");
  });
}
