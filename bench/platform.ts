// What the benchmarks that drive the real platform share: `npm start`'s stack on free ports over a temporary data
// folder (dev/platform.ts), with the rate limits off, and a GET that must answer 200.
import { type Platform, withTemporaryPlatform } from "../dev/platform.ts";

export function withPlatform<T>(name: string, run: (platform: Platform) => Promise<T>): Promise<T> {
  // Every benchmark client shares one address: the gateway's rate limits would measure themselves.
  process.env.RATE_LIMITS = "off";
  return withTemporaryPlatform(`bench-${name}`, run);
}

export async function getOk(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
}
