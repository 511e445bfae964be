// `npm run bench -- pages`: what the storefront's discover feed costs a phone in Chromium on `npm start`'s stack (the
// demo's notes with their drawn covers): bytes transferred and time to first paint, first contentful paint and the
// feed's covers in view decoded, each load in a fresh browser context (nothing cached). Baseline in the same run: the
// bare document, the same address with JavaScript off (the header alone: document and stylesheet). Then what each
// Worker would upload (wrangler deploy --dry-run, as `npm run deploy:check` bundles it) beside the budget, and the
// pages' own scripts, which the gateway's bundle carries.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";
import { pagesOutdir } from "../dev/build-pages.ts";
import { chineseFontconfig } from "../dev/fonts.ts";
import { bundleWorker, workers } from "../dev/workers.ts";
import { chromiumBinary } from "../test/browser-setup.ts";
import { withPlatform } from "./platform.ts";

const loads = Number(process.env.BENCH_PAGES_LOADS ?? 7);
/** A phone's viewport: the feed's first screen of covers. */
const viewport = { width: 390, height: 844 };

interface Load {
  firstPaintMs: number;
  firstContentfulPaintMs: number;
  readyMs: number;
  bytes: number;
  imageBytes: number;
  images: number;
  requests: number;
}

async function load(browser: Browser, url: string, javaScript: boolean): Promise<Load> {
  const context = await browser.newContext({ viewport, javaScriptEnabled: javaScript });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    if (javaScript) {
      // Ready: the waterfall drawn and every cover that is in view decoded (the rest are lazy and not fetched).
      await page.locator(".waterfall img").first().waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll<HTMLImageElement>(".waterfall img"))
            .filter((img) => img.getBoundingClientRect().top < innerHeight)
            .every((img) => img.complete && img.naturalWidth > 0),
        undefined,
        { timeout: 30_000 },
      );
    }
    return await page.evaluate((js) => {
      const paints = performance.getEntriesByType("paint");
      const at = (name: string) => paints.find((p) => p.name === name)?.startTime ?? Number.NaN;
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const images = resources.filter((r) => r.initiatorType === "img");
      return {
        firstPaintMs: at("first-paint"),
        firstContentfulPaintMs: at("first-contentful-paint"),
        readyMs: js ? performance.now() : navigation.loadEventEnd,
        bytes: navigation.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
        imageBytes: images.reduce((n, r) => n + r.transferSize, 0),
        images: images.length,
        requests: 1 + resources.length,
      };
    }, javaScript);
  } finally {
    await context.close();
  }
}

/** Each Worker's upload and its gzip size, as wrangler reports them for a deploy. */
async function bundles(): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-pages-"));
  try {
    const rows: string[] = [];
    for (const worker of workers) {
      const built = await bundleWorker(worker, path.join(dir, worker.name));
      const kib = /Total Upload: ([\d.]+) KiB/.exec(built)?.[1] ?? "?";
      const gzip = /gzip: ([\d.]+) KiB/.exec(built)?.[1] ?? "?";
      rows.push(`| ${worker.name} | ${Number(kib).toFixed(0)} | ${Number(gzip).toFixed(0)} |`);
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scripts(): Promise<string[]> {
  return Promise.all(
    ["storefront", "merchant", "live-video"].map(async (name) => {
      const body = await readFile(path.join(pagesOutdir, `${name}.page.js`));
      return `| /pages/${name}.js | ${(body.length / 1024).toFixed(1)} | ${(gzipSync(body, { level: 9 }).length / 1024).toFixed(1)} |`;
    }),
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function benchPages(): Promise<string> {
  return withPlatform("pages", async (platform) => {
    const key = platform.credentials.merchants[0]?.publishableKey ?? "";
    const url = `${platform.gatewayUrl}/?key=${key}`;
    const browser = await chromium.launch({
      executablePath: await chromiumBinary(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
      env: { ...process.env, FONTCONFIG_FILE: await chineseFontconfig() },
    });
    try {
      // One load of each first: the Workers' isolates and the edge cache warm, as a visited shop's would be.
      await load(browser, url, true);
      await load(browser, url, false);
      const feed: Load[] = [];
      const bare: Load[] = [];
      for (let i = 0; i < loads; i++) {
        feed.push(await load(browser, url, true));
        bare.push(await load(browser, url, false));
      }
      const kib = (bytes: number) => (bytes / 1024).toFixed(1);
      const ms = (value: number) => value.toFixed(0);
      const row = (name: string, runs: Load[]) =>
        `| ${name} | ${median(runs.map((r) => r.requests))} | ${kib(median(runs.map((r) => r.bytes)))} | ${median(runs.map((r) => r.images))} | ${kib(median(runs.map((r) => r.imageBytes)))} | ${ms(median(runs.map((r) => r.firstPaintMs)))} | ${ms(median(runs.map((r) => r.firstContentfulPaintMs)))} | ${ms(median(runs.map((r) => r.readyMs)))} |`;
      const ratio = median(feed.map((r) => r.firstPaintMs)) / median(bare.map((r) => r.firstPaintMs));
      return [
        "## pages: the storefront's discover feed in Chromium",
        "",
        `${loads} loads of each, alternating, each in a fresh browser context (no cache), ${viewport.width}×${viewport.height} viewport, against \`npm start\`'s stack with the demo data and its drawn covers; medians. Bytes are what the browser transferred (Resource Timing: headers and compressed bodies). Ready: the waterfall drawn and every cover in view decoded (covers below the fold are lazy and not fetched). Baseline: the bare document, the same address with JavaScript off (document and stylesheet, the header alone).`,
        "",
        "| page | requests | KiB transferred | images | image KiB | first paint ms | first contentful paint ms | ready ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row("discover feed", feed),
        row("bare document (baseline)", bare),
        "",
        `First paint of the feed ÷ the bare document's: ${ratio.toFixed(2)}.`,
        "",
        "Each Worker's bundle as a deploy uploads it (`wrangler deploy --dry-run`, the figures `npm run deploy:check` checks; budget 1,536 KiB gzipped, Cloudflare's limit 3,072 on the Free plan), and the pages' scripts inside the gateway's:",
        "",
        "| Worker | bundle KiB | gzip KiB |",
        "|---|---:|---:|",
        ...(await bundles()),
        "",
        "| page script | KiB | gzip KiB |",
        "|---|---:|---:|",
        ...(await scripts()),
      ].join("\n");
    } finally {
      await browser.close();
    }
  });
}
