// The gateway's rate-limit policies as configured in wrangler.toml's [[ratelimits]]: the binding counts, these
// numbers are what the RateLimit-Policy and RateLimit headers say (test/node/rate-policies.test.ts keeps the two in
// step).
export const policies = {
  address: { binding: "ADDRESS_RATE_LIMIT", limit: 600, period: 60 },
  key: { binding: "KEY_RATE_LIMIT", limit: 1200, period: 60 },
} as const satisfies Record<string, { binding: string; limit: number; period: 10 | 60 }>;
