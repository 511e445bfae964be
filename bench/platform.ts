// What the benchmarks that drive the real platform share: `npm start`'s stack on free ports over a temporary data
// folder, stopped and removed afterwards whatever happens, and a GET that must answer 200.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Platform, startPlatform } from "../dev/platform.ts";
import { freePort } from "../dev/ports.ts";

export async function withPlatform<T>(name: string, run: (platform: Platform) => Promise<T>): Promise<T> {
  // Every benchmark client shares one address: the gateway's rate limits would measure themselves.
  process.env.RATE_LIMITS = "off";
  const dataDir = await mkdtemp(path.join(tmpdir(), `zhongcao-bench-${name}-`));
  const platform = await startPlatform({
    port: await freePort(),
    libsqlPort: await freePort(),
    dataDir,
    stdio: "ignore",
  });
  try {
    return await run(platform);
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function getOk(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
}
