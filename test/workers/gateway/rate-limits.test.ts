// Rate limits at the gateway, on the real Rate Limiting binding as workerd emulates it: by address before
// authentication, by credential after, with the 429 problem, Retry-After and RateLimit headers; what is exempt.
import { describe, expect, it } from "vitest";
import { addressKey } from "#shared/address.ts";
import { policies } from "../../../workers/gateway/src/pipeline/rate-policies.ts";
import { bearer, call, expectProblem, onboardMerchant, post, type Session } from "./helpers.ts";

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
  it("limit an address before its credentials are looked at, with Retry-After and RateLimit headers", async () => {
    const { limit, period } = policies.address;
    const address = { "cf-connecting-ip": freshAddress() };
    await freshWindow(20_000);
    // An unknown route (404) and a bad key (401) count the same: the limit comes first.
    const statuses = await burst(limit, "/v1/nothing-here", address);
    expect(statuses.every((s) => s === 404)).toBe(true);
    const res = await call("/v1/products?limit=1", { headers: { ...address, ...bearer("sk_test_nope") } });
    const problem = await expectProblem(res, 429, "rate_limited");
    expect(problem.detail).toContain(`${limit} every ${period} s`);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(period);
    expect(res.headers.get("ratelimit")).toBe(`"address";r=0;t=${retryAfter}`);
    expect(res.headers.get("ratelimit-policy")).toBe(`"address";q=${limit};w=${period}`);
    // Another address is not affected, and says which policy counted it.
    const other = await call("/v1/products?limit=1", { headers: { "cf-connecting-ip": freshAddress() } });
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit-policy")).toBe(`"address";q=${limit};w=${period}`);
  }, 120_000);

  it("limit a credential (here a shopper's session) across addresses; never /health or provider webhooks", async () => {
    const { limit, period } = policies.key;
    const merchant = await onboardMerchant();
    const session = await call("/v1/shopper-sessions", post({}, { "x-publishable-key": merchant.publishableKey.key }));
    const key = bearer((await session.json<Session>()).accessToken);
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
    expect(res.headers.get("ratelimit-policy")).toBe(
      `"address";q=${policies.address.limit};w=${policies.address.period}, "key";q=${limit};w=${period}`,
    );
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

  it("count an IPv6 address by its /64", () => {
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("198.51.100.7")).toBe("198.51.100.7");
  });
});
