// Rate limits at the gateway, on the real Rate Limiting binding as workerd emulates it: anonymous requests (and
// failed secret keys) by address, requests with a credential by that credential, shopper sessions opened in their own
// buckets; the 429 problem, Retry-After and RateLimit headers; what is exempt. A crowd of signed-in shoppers behind
// one address storms a sale without one address refusal.
import { describe, expect, it } from "vitest";
import { addressKey } from "#shared/address.ts";
import { policies } from "../../../workers/gateway/src/pipeline/rate-policies.ts";
import {
  bearer,
  call,
  expectProblem,
  merchantWithSku,
  onboardMerchant,
  openShopperSession,
  post,
  type Session,
} from "./helpers.ts";

let addresses = 0;
/** An address no other test uses (the windows last a minute). */
const freshAddress = () => `203.0.113.${++addresses}`;

/**
 * Waits, if need be, for a new window of the policies' period to begin, so that a burst expected to take up to
 * `needMs` is counted in one window (the emulation, like the service, counts fixed windows).
 */
async function freshWindow(needMs: number): Promise<void> {
  const periodMs = policies.address.period * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Sends `n` requests one after another; the statuses. */
async function burst(n: number, path: string, headers: Record<string, string>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(path, { headers });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe("rate limits", () => {
  it("limit anonymous requests by address, and wrong secret keys; not a signed-in shopper there", async () => {
    const { limit, period } = policies.address;
    const address = { "cf-connecting-ip": freshAddress() };
    const merchant = await onboardMerchant();
    const opened = await call(
      "/v1/shopper-sessions",
      post({}, { ...address, "x-publishable-key": merchant.publishableKey.key }),
    );
    expect(opened.status).toBe(201);
    // Opening a session counts in the sessions' own buckets, by address and by publishable key.
    expect(opened.headers.get("ratelimit-policy")).toBe(
      `"session_address";q=${policies.session_address.limit};w=${period}, ` +
        `"session_storefront";q=${policies.session_storefront.limit};w=${period}`,
    );
    const shopper = bearer((await opened.json<Session>()).accessToken);
    await freshWindow(20_000);
    const statuses = await burst(limit, "/v1/nothing-here", address);
    expect(statuses.every((s) => s === 404)).toBe(true);
    const res = await call("/v1/products?limit=1", { headers: address });
    const problem = await expectProblem(res, 429, "rate_limited");
    expect(problem.detail).toContain(`${limit} every ${period} s`);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(period);
    expect(res.headers.get("ratelimit")).toBe(`"address";r=0;t=${retryAfter}`);
    expect(res.headers.get("ratelimit-policy")).toBe(`"address";q=${limit};w=${period}`);
    // A wrong secret key from there counts too, and is refused; so is the next, before any lookup.
    for (let i = 0; i < 2; i++) {
      const wrong = await call("/v1/products?limit=1", {
        headers: { ...address, ...bearer(`sk_test_${"0".repeat(40)}`) },
      });
      await expectProblem(wrong, 429, "rate_limited");
    }
    // The shopper signed in behind the same address is counted by the session alone.
    const signedIn = await call("/v1/orders", { headers: { ...address, ...shopper } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("ratelimit-policy")).toBe(`"key";q=${policies.key.limit};w=${policies.key.period}`);
    // Another address is not affected, and says which policy counted it.
    const other = await call("/v1/products?limit=1", { headers: { "cf-connecting-ip": freshAddress() } });
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-policy")).toBe(`"address";q=${limit};w=${period}`);
  }, 120_000);

  it("limit a credential (here a shopper's session) across addresses; never /health or provider webhooks", async () => {
    const { limit, period } = policies.key;
    const merchant = await onboardMerchant();
    const key = bearer((await openShopperSession(merchant.publishableKey.key)).accessToken);
    await freshWindow(30_000);
    // Spread over addresses, so only the key's count can refuse.
    for (let i = 0; i < limit; i += 100) {
      const statuses = await burst(Math.min(100, limit - i), "/v1/nothing-here", {
        ...key,
        "cf-connecting-ip": freshAddress(),
      });
      expect(statuses.every((s) => s === 404)).toBe(true);
    }
    const res = await call("/v1/orders", { headers: { ...key, "cf-connecting-ip": freshAddress() } });
    await expectProblem(res, 429, "rate_limited");
    expect(res.headers.get("ratelimit")).toMatch(/^"key";r=0;t=\d+$/);
    expect(res.headers.get("ratelimit-policy")).toBe(`"key";q=${limit};w=${period}`);
    // Another credential has its own count.
    const otherKey = { ...bearer(merchant.secretKey.key), "cf-connecting-ip": freshAddress() };
    expect((await call("/v1/api-keys", { headers: otherKey })).status).toBe(200);

    const address = { "cf-connecting-ip": freshAddress() };
    await burst(policies.address.limit, "/v1/nothing-here", address);
    expect((await call("/health", { headers: address })).status).not.toBe(429);
    // Past the address's limit, the webhook still reaches checkout, which refuses it unsigned.
    const webhook = await call("/v1/webhooks/sandbox", { method: "POST", headers: address, body: "{}" });
    expect(webhook.status).toBe(401);
  }, 240_000);

  it("let 2,000 signed-in shoppers behind one address storm a sale: none refused by the address", async () => {
    const shoppers = 2000;
    const units = 1000;
    const address = { "cf-connecting-ip": freshAddress() };
    const { secret, pk, skuId } = await merchantWithSku("抢购 Crowd sale", {
      options: { size: "M" },
      price: 9900,
      stock: units,
    });
    const created = await call(
      "/v1/flash-sales",
      post(
        {
          skuId,
          quantity: units,
          price: { amount: 4900, currency: "CNY" },
          startsAt: new Date(Date.now() + 1000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          perShopperLimit: 1,
        },
        secret,
      ),
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const sale = await created.json<{ id: string }>();

    /** Runs `task` for 0..n-1, `atOnce` at a time; the results in order. */
    async function inWaves<T>(n: number, atOnce: number, task: (i: number) => Promise<T>): Promise<T[]> {
      const results: T[] = [];
      for (let i = 0; i < n; i += atOnce) {
        results.push(...(await Promise.all(Array.from({ length: Math.min(atOnce, n - i) }, (_, j) => task(i + j)))));
      }
      return results;
    }
    // The minute before: every phone behind the carrier's address opens its session (through the storefront's key).
    const tokens = await inWaves(shoppers, 50, async () => {
      const res = await call("/v1/shopper-sessions", post({}, { ...address, ...pk }));
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json<Session>()).accessToken;
    });
    // The countdown ends: everyone presses at once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const statuses = await inWaves(shoppers, 100, async (i) => {
      const res = await call(
        `/v1/flash-sales/${sale.id}/reservations`,
        post({ quantity: 1 }, { ...address, ...pk, ...bearer(tokens[i] ?? ""), "idempotency-key": `storm-${i}` }),
      );
      await res.arrayBuffer();
      return res.status;
    });
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(units);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);

    // The address is still bounded for anonymous requests: a flood from it is refused past the limit.
    await freshWindow(20_000);
    const anonymous = await burst(policies.address.limit + 1, "/v1/nothing-here", address);
    expect(anonymous.slice(0, -1).every((s) => s === 404)).toBe(true);
    expect(anonymous.at(-1)).toBe(429);
  }, 300_000);

  it("count an IPv6 address by its /64", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("198.51.100.7")).toBe("198.51.100.7");
  });
});
