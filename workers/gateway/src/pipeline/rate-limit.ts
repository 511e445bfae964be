// Rate limits on Cloudflare's Rate Limiting API (the [[ratelimits]] bindings in wrangler.toml), with no database
// round trip: `address` counts every request by CF-Connecting-IP (IPv6 by its /64) before the credentials are read;
// `key` counts by credential after authentication (secret key or person's session). /health, provider webhooks and
// preflights are exempt; a refusal is 429 rate_limited with Retry-After, RateLimit and RateLimit-Policy.
// Design: docs/design/gateway.md#rate-limits
import type { Context, MiddlewareHandler } from "hono";
import { addressKey } from "#shared/address.ts";
import { ProblemError } from "#shared/errors.ts";
import { principalOf } from "#shared/principal.ts";
import { isWebhook } from "./authenticate.ts";
import { policies } from "./rate-policies.ts";

type Policy = keyof typeof policies;

function exempt(c: Context<{ Bindings: Env }>): boolean {
  return c.env.RATE_LIMITS === "off" || c.req.method === "OPTIONS" || c.req.path === "/health" || isWebhook(c.req.path);
}

function credentialKey(c: Context): string | null {
  const { actor } = principalOf(c);
  switch (actor.type) {
    case "merchant":
      return `key:${actor.keyId}`;
    case "shopper":
      return `person:${actor.shopperId}`;
    case "creator":
      return `person:${actor.creatorId}`;
    default:
      return null;
  }
}

const policyHeader = (names: Policy[]) =>
  names.map((name) => `"${name}";q=${policies[name].limit};w=${policies[name].period}`).join(", ");

/** Counts the request against `name` under `key`; past the limit, a 429 problem. */
async function count(c: Context<{ Bindings: Env }>, name: Policy, key: string, applied: Policy[]): Promise<void> {
  const policy = policies[name];
  applied.push(name);
  const { success } = await c.env[policy.binding].limit({ key });
  if (success) return;
  // Windows are fixed periods: the count starts again at the next multiple of the period.
  const retryAfter = policy.period - (Math.floor(Date.now() / 1000) % policy.period);
  throw new ProblemError(
    "rate_limited",
    `Too many requests ${name === "address" ? "from your address" : "with this credential"}: at most ${policy.limit} every ${policy.period} s. Retry in ${retryAfter} s.`,
    {
      headers: {
        "retry-after": String(retryAfter),
        ratelimit: `"${name}";r=0;t=${retryAfter}`,
        "ratelimit-policy": policyHeader(applied),
      },
    },
  );
}

/** Names the policies a response counted against (the innermost middleware knows them all; a socket has none). */
function announce(c: Context, applied: Policy[]): void {
  if (c.res.status !== 101 && !c.res.headers.has("ratelimit-policy")) {
    c.res.headers.set("ratelimit-policy", policyHeader(applied));
  }
}

/** Before authentication: the caller's address. */
export function limitByAddress(): MiddlewareHandler<{ Bindings: Env }> {
  return async function limitByAddressMiddleware(c, next) {
    const ip = c.req.header("cf-connecting-ip");
    if (exempt(c) || !ip) return next();
    await count(c, "address", addressKey(ip), []);
    await next();
    announce(c, ["address"]);
  };
}

/** After authentication: the credential (secret key or session). */
export function limitByCredential(): MiddlewareHandler<{ Bindings: Env }> {
  return async function limitByCredentialMiddleware(c, next) {
    const key = credentialKey(c);
    if (exempt(c) || key === null) return next();
    const applied: Policy[] = c.req.header("cf-connecting-ip") ? ["address"] : [];
    await count(c, "key", key, applied);
    await next();
    announce(c, applied);
  };
}
