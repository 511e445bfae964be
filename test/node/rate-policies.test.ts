// The rate-limit numbers the gateway announces are the ones its [[ratelimits]] bindings count with.
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { policies } from "../../workers/gateway/src/pipeline/rate-policies.ts";

describe("the gateway's rate-limit policies", () => {
  it("match wrangler.toml's [[ratelimits]]", () => {
    const config = unstable_readConfig({ config: "wrangler.toml" });
    const configured = Object.fromEntries(
      config.ratelimits.map((r: { name: string; simple: { limit: number; period: number } }) => [r.name, r.simple]),
    );
    for (const policy of Object.values(policies)) {
      expect(configured[policy.binding]).toEqual({ limit: policy.limit, period: policy.period });
    }
  });
});
