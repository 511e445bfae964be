// End to end: the real `npm start` (libSQL server, migrations, seed, every Worker in workerd) on free ports,
// called over HTTP like a storefront would, then stopped the way a developer does, with Ctrl-C (SIGINT).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demo, demoFlashSaleId, demoLiveSessionId } from "../../../dev/demo.ts";
import { freePort, portIsClosed } from "../ports.ts";

let child: ChildProcess;
let output = "";
let gateway = "";
let ports: { port: number; libsqlPort: number };
let dataDir = "";

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}; output:\n${output}`));
    });
    check();
  });
}

function exitOf(proc: ChildProcess): Promise<number | NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode ?? proc.signalCode);
    else proc.once("exit", (code, signal) => resolve(code ?? signal));
  });
}

/** Waits until the shutdown has closed both ports (bounded, polling, no fixed sleep). */
async function waitForQuiet(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await portIsClosed(ports.port)) && (await portIsClosed(ports.libsqlPort))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-e2e-"));
  ports = { port: await freePort(), libsqlPort: await freePort() };
  gateway = `http://127.0.0.1:${ports.port}`;
  // Its own process group, so SIGINT reaches npm and everything under it, as Ctrl-C in a terminal does.
  child = spawn("npm", ["start"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(ports.port),
      LIBSQL_PORT: String(ports.libsqlPort),
      ZHONGCAO_DATA_DIR: dataDir,
    },
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  await waitForOutput(/zhongcao is running/, 170_000);
}, 180_000);

afterAll(async () => {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid, "SIGKILL");
    await exitOf(child);
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("prints the gateway URL and the demo credentials, and writes them to the data folder", async () => {
    expect(output).toContain(gateway);
    const credentials = JSON.parse(await readFile(path.join(dataDir, "demo-credentials.json"), "utf8"));
    expect(credentials.gatewayUrl).toBe(gateway);
    expect(credentials.merchants).toHaveLength(demo.merchants.length);
    for (const merchant of credentials.merchants) {
      expect(merchant.secretKey).toMatch(/^sk_test_[0-9a-f]{40}$/);
      expect(merchant.publishableKey).toMatch(/^pk_test_[0-9a-f]{40}$/);
      expect(output).toContain(merchant.secretKey);
    }
  });

  it("is healthy: the database and every Worker are up", async () => {
    const res = await fetch(`${gateway}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(Object.keys(body.workers).sort()).toEqual(["catalog", "checkout", "live", "search"]);
  });

  it("serves the seeded catalog in UTF-8, with Chinese names intact", async () => {
    const res = await fetch(`${gateway}/v1/products?limit=100`);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await res.json();
    const titles: string[] = body.data.map((p: { title: string }) => p.title);
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

  it("stops everything on Ctrl-C: npm ends and both ports close", async () => {
    if (child.pid === undefined) throw new Error("npm start has no pid");
    process.kill(-child.pid, "SIGINT");
    // npm itself ends by the signal (as in a terminal); the platform under it shuts down cleanly.
    expect([0, "SIGINT"]).toContain(await exitOf(child));
    await waitForQuiet();
    expect(output).toContain("stopping zhongcao");
    expect(await portIsClosed(ports.port)).toBe(true);
    expect(await portIsClosed(ports.libsqlPort)).toBe(true);
  }, 30_000);
});
