// The gateway's rate-limit policies as configured in wrangler.toml's [[ratelimits]]: the binding counts, these
// numbers are what the RateLimit-Policy and RateLimit headers say (test/node/rate-policies.test.ts keeps the two in
// step). Who is counted by which: workers/gateway/src/pipeline/rate-limit.ts.
export const policies = {
  /** Anonymous requests (no credential), and failed secret-key attempts, by address. */
  address: { binding: "ADDRESS_RATE_LIMIT", limit: 600, period: 60 },
  /** Requests with a credential (secret key, shopper's or creator's session), by that credential. */
  key: { binding: "KEY_RATE_LIMIT", limit: 1200, period: 60 },
  /** Opening or refreshing shopper sessions, by address: a crowd behind one carrier address signs in at once. */
  session_address: { binding: "SESSION_ADDRESS_RATE_LIMIT", limit: 6000, period: 60 },
  /** Opening shopper sessions, by the storefront's publishable key. */
  session_storefront: { binding: "SESSION_STOREFRONT_RATE_LIMIT", limit: 30000, period: 60 },
} as const satisfies Record<string, { binding: string; limit: number; period: 10 | 60 }>;
