// What the benchmarks that drive the real platform share: `npm start`'s stack on free ports over a temporary data
// folder (dev/platform.ts), with the rate limits off, a GET that must answer 200, and a JSON POST (bench/shop.ts
// sets up a benchmark's shop with it).
import { type Platform, withTemporaryPlatform } from "../dev/platform.ts";
import type { Output } from "../dev/runtime.ts";

export function withPlatform<T>(name: string, run: (platform: Platform) => Promise<T>, output?: Output): Promise<T> {
  // Every benchmark client shares one address: the gateway's rate limits would measure themselves.
  process.env.RATE_LIMITS = "off";
  return withTemporaryPlatform(`bench-${name}`, run, output);
}

export async function getOk(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
}

export interface Answer {
  status: number;
  json: Record<string, unknown> | null;
}

/**
 * A JSON POST: the answer's status and body (null when empty). With `retryDropped`, a connection dropped on the loaded
 * machine is tried once more: only for requests whose second sending does no harm (setup, or an Idempotency-Key).
 */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  { retryDropped = false } = {},
): Promise<Answer> {
  const send = () =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const res = await (retryDropped ? send().catch(send) : send());
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The answer's body if its status is one of `statuses`; otherwise an error naming the step. */
export function expectStatus(what: string, answer: Answer, statuses: number[] = [201]): Record<string, unknown> {
  if (!statuses.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json ?? {};
}
