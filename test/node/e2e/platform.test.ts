// End to end: the real `npm start` (libSQL server, migrations, seed, every Worker in workerd) on free ports,
// called over HTTP like a storefront would, then stopped the way a developer does, with Ctrl-C (SIGINT).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise, typesOf } from "#shared/client/generate.ts";
import { zhongcao } from "#shared/client/index.ts";
import { demo, demoFlashSaleId, demoLiveSessionId } from "../../../dev/demo.ts";
import { portIsClosed } from "../ports.ts";
import { type NpmStart, npmStart } from "./npm-start.ts";

let platform: NpmStart;
let gateway = "";

/** Waits until the shutdown has closed both ports (bounded, polling, no fixed sleep). */
async function waitForQuiet(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await portIsClosed(platform.port)) && (await portIsClosed(platform.libsqlPort))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  platform = await npmStart("platform");
  gateway = platform.gateway;
}, 180_000);

afterAll(async () => {
  await platform.stop("SIGKILL");
});

interface Credentials {
  gatewayUrl: string;
  merchants: { secretKey: string; publishableKey: string }[];
}

describe("npm start", () => {
  it("prints the gateway URL and the demo credentials, and writes them to the data folder", async () => {
    expect(platform.output()).toContain(gateway);
    const credentials = await platform.credentials<Credentials>();
    expect(credentials.gatewayUrl).toBe(gateway);
    expect(credentials.merchants).toHaveLength(demo.merchants.length);
    for (const merchant of credentials.merchants) {
      expect(merchant.secretKey).toMatch(/^sk_test_[0-9a-f]{40}$/);
      expect(merchant.publishableKey).toMatch(/^pk_test_[0-9a-f]{40}$/);
      expect(platform.output()).toContain(merchant.secretKey);
    }
  });

  it("is healthy: the database and every Worker are up", async () => {
    const res = await fetch(`${gateway}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(Object.keys(body.workers).sort()).toEqual(["catalog", "checkout", "live", "search"]);
  });

  it("serves the seeded catalog in UTF-8, with Chinese names intact (read with the typed client)", async () => {
    const api = zhongcao(gateway);
    const { data, response } = await api.GET("/v1/products", { params: { query: { limit: 100 } } });
    expect(response.headers.get("content-type")).toContain("application/json");
    const titles = (data?.data ?? []).map((p) => p.title);
    expect(titles).toContain("兰蔻小黑瓶精华 Advanced Génifique Serum");
    expect(titles).toHaveLength(demo.products.filter((p) => p.status !== "draft").length);
  });

  it("serves the demo live session and flash sale through their Durable Objects", async () => {
    const live = await (await fetch(`${gateway}/v1/live/sessions/${demoLiveSessionId}`)).json();
    expect(live).toMatchObject({ status: "scheduled", viewerCount: 0 });
    const sale = await (await fetch(`${gateway}/v1/flash-sales/${demoFlashSaleId}`)).json();
    expect(sale).toMatchObject({ quantity: 500, stockLeft: 500 });
  });

  it("answers bad input with problem+json and a request id, never a stack", async () => {
    const res = await fetch(`${gateway}/v1/products?limit=500`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ code: "validation_failed", status: 400, errors: [{ path: "/limit" }] });
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("publishes the OpenAPI document the typed client was generated from (npm run client:generate)", async () => {
    const live = normalise(await (await fetch(`${gateway}/openapi.json`)).json());
    const committed = await readFile("shared/client/openapi.json", "utf8");
    // On a difference: the routes changed without `npm run client:generate`.
    expect(live === committed, "shared/client/openapi.json is stale: run npm run client:generate").toBe(true);
    expect(await typesOf(committed)).toBe(await readFile("shared/client/schema.d.ts", "utf8"));
  });

  it("publishes one OpenAPI document that @redocly/cli lints without an error", async () => {
    const res = await fetch(`${gateway}/openapi.json`);
    expect(res.status).toBe(200);
    const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-openapi-"));
    try {
      const file = path.join(dir, "openapi.json");
      await writeFile(file, await res.text());
      // Exits non-zero on any error (warnings are printed, not failed).
      const lint = await promisify(execFile)(
        process.execPath,
        ["node_modules/@redocly/cli/bin/cli.js", "lint", file, "--config", "redocly.yaml", "--format", "summary"],
        { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
      ).then(
        (out) => ({ ok: true, output: `${out.stdout}${out.stderr}` }),
        (err: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${err.stdout}${err.stderr}` }),
      );
      expect(lint.ok, lint.output).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("stops everything on Ctrl-C: npm ends and both ports close", async () => {
    const pid = platform.child.pid;
    if (pid === undefined) throw new Error("npm start has no pid");
    const exited = platform.exited();
    process.kill(-pid, "SIGINT");
    // npm itself ends by the signal (as in a terminal); the platform under it shuts down cleanly.
    expect([0, "SIGINT"]).toContain(await exited);
    await waitForQuiet();
    expect(platform.output()).toContain("stopping zhongcao");
    expect(await portIsClosed(platform.port)).toBe(true);
    expect(await portIsClosed(platform.libsqlPort)).toBe(true);
  }, 30_000);
});
