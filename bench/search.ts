// `npm run bench -- search`: a fixed query mix (one- and two-character Chinese, longer Chinese, English, mixed,
// typos, synonyms) through the gateway of the real platform at 32 concurrent clients, beside `GET /health` in the
// same run, over the demo catalogue plus generated products (BENCH_SEARCH_PRODUCTS, default 2,000, created through
// POST /v1/products so the index triggers do the work they do in production). Searches are sent with a merchant's
// secret key, which the gateway never serves from its edge cache; one row measures the cached path too.
import { getOk, withPlatform } from "./platform.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const clients = 32;
const requests = Number(process.env.BENCH_SEARCH_REQUESTS ?? 3000);
const generated = Number(process.env.BENCH_SEARCH_PRODUCTS ?? 2000);

const queries = [
  "霜",
  "精华",
  "面霜",
  "小黑瓶",
  "兰蔻 精华",
  "收纳盒",
  "口红 正红",
  "lancome serum",
  "lancme",
  "serun",
  "drawer",
  "xhp",
  "cream 30ml",
  "眼影",
  "保湿 lotion",
  "",
];

// A small deterministic generator (mulberry32), so every run searches the same catalogue.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const brands = [
  ["兰蔻", "Lancôme"],
  ["完美日记", "Perfect Diary"],
  ["雅诗兰黛", "Estée Lauder"],
  ["花西子", "Florasis"],
  ["整理收纳", "Tidy Home"],
  ["珀莱雅", "Proya"],
] as const;
const kinds = [
  ["精华", "serum", "skincare"],
  ["面霜", "cream", "skincare"],
  ["乳液", "lotion", "skincare"],
  ["口红", "lipstick", "makeup"],
  ["眼影盘", "eyeshadow palette", "makeup"],
  ["收纳盒", "storage box", "home"],
  ["抽屉柜", "drawer cabinet", "home"],
] as const;
const adjectives = ["保湿", "修护", "清爽", "滋润", "哑光", "显白", "透明", "可叠加", "大容量", "限定"];

function productBody(rand: () => number, n: number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const [brandZh, brandEn] = pick(brands);
  const [kindZh, kindEn, category] = pick(kinds);
  const adjective = pick(adjectives);
  return {
    title: `${brandZh}${adjective}${kindZh} ${brandEn} ${kindEn} No.${n}`,
    description: `${adjective}${kindZh}，${pick(adjectives)}${pick(adjectives)}。A ${kindEn} by ${brandEn}.`,
    brand: brandEn,
    category,
    status: "active",
    skus: [
      {
        options: { size: pick(["30ml", "50ml", "S", "M", "L"]) },
        price: { amount: Math.floor(rand() * 200_000) + 1000, currency: "CNY" },
        stock: Math.floor(rand() * 50),
      },
    ],
  };
}

export async function benchSearch(): Promise<string> {
  return withPlatform("search", async (platform) => {
    const merchants = platform.credentials.merchants;
    const rand = random(5);
    const created = await measure("create products", 16, generated, async (_, i) => {
      const merchant = merchants[i % merchants.length];
      const res = await fetch(`${platform.gatewayUrl}/v1/products`, {
        method: "POST",
        headers: { authorization: `Bearer ${merchant?.secretKey ?? ""}`, "content-type": "application/json" },
        body: JSON.stringify(productBody(rand, i)),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`create product: ${res.status}`);
    });
    const auth = { authorization: `Bearer ${merchants[0]?.secretKey ?? ""}` };
    const url = (route: string, i: number) =>
      `${platform.gatewayUrl}${route}?q=${encodeURIComponent(queries[i % queries.length] ?? "")}`;
    const routes: [string, (i: number) => Promise<void>][] = [
      ["GET /health", () => getOk(`${platform.gatewayUrl}/health`)],
      ["GET /v1/search (query mix, uncached)", (i) => getOk(url("/v1/search", i), auth)],
      ["GET /v1/search/suggest (query mix, uncached)", (i) => getOk(url("/v1/search/suggest", i), auth)],
      ["GET /v1/search (query mix, edge cache)", (i) => getOk(url("/v1/search", i))],
    ];
    const results = new Map<string, Row>();
    for (const [name, run] of routes) {
      await measure("warm-up", clients, 300, (_, i) => run(i));
      results.set(name, summarise(await measure(name, clients, requests, (_, i) => run(i))));
    }
    const baseline = results.get("GET /health");
    if (!baseline) throw new Error("no baseline");
    const rows = [...results.values()].filter((r) => r !== baseline).map((row) => ({ row, baseline }));
    return [
      "## search: queries through the gateway",
      "",
      `${requests} requests per route from ${clients} concurrent clients, cycling through ${queries.length} queries (${queries.map((q) => `\`${q || "(browse)"}\``).join(", ")}), over the demo catalogue plus ${generated} generated products (created through the API at ${summarise(created).opsPerSecond.toFixed(0)}/s, the index triggers included). Uncached rows use a merchant's secret key, which the gateway's edge cache never serves. Baseline: \`GET /health\`.`,
      "",
      table(rows),
    ].join("\n");
  });
}
