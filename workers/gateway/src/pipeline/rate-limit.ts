// Rate limits on Cloudflare's Rate Limiting API (the [[ratelimits]] bindings in wrangler.toml), with no database
// round trip. A request with a credential (secret key, shopper's or creator's session) is counted by that credential
// (`key`), wherever it comes from: thousands of signed-in phones behind one carrier address (CGNAT) are thousands of
// buckets. `address` (CF-Connecting-IP, IPv6 by its /64) counts only anonymous requests, before authentication, and
// secret keys that fail, after it; past its limit such an address gets 429 before any key lookup, for the rest of the
// window. Opening or refreshing a shopper session has its own, larger, per-address bucket and one per publishable
// key. /health, provider webhooks and preflights are exempt; a refusal is 429 rate_limited with Retry-After,
// RateLimit and RateLimit-Policy.
// Design: docs/design/gateway.md#rate-limits
import type { Context, MiddlewareHandler } from "hono";
import { addressKey } from "#shared/address.ts";
import { ProblemError } from "#shared/errors.ts";
import { personId, principalOf } from "#shared/principal.ts";
import { isWebhook } from "./authenticate.ts";
import { policies } from "./rate-policies.ts";

type Policy = keyof typeof policies;

declare module "hono" {
  interface ContextVariableMap {
    /** The policies the address middleware counted this request against, for the headers. */
    rateLimitsApplied: Policy[];
  }
}

function exempt(c: Context<{ Bindings: Env }>): boolean {
  return c.env.RATE_LIMITS === "off" || c.req.method === "OPTIONS" || c.req.path === "/health" || isWebhook(c.req.path);
}

/** Opening (a publishable key's) or refreshing a shopper session. */
const opensShopperSession = (c: Context) =>
  c.req.method === "POST" && (c.req.path === "/v1/shopper-sessions" || c.req.path === "/v1/shopper-sessions/refresh");

/**
 * What the Authorization header carries, read without looking anything up: nothing; a session's access token (a
 * JWT, checked by signature alone); or something else (a secret key or the operator key, each looked up or compared).
 */
function presented(c: Context): "none" | "token" | "key" {
  const authorization = c.req.header("authorization");
  if (authorization === undefined) return "none";
  const bearer = /^Bearer +(\S+)\s*$/i.exec(authorization)?.[1] ?? "";
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(bearer) ? "token" : "key";
}

function credentialKey(c: Context): string | null {
  const { actor } = principalOf(c);
  if (actor.type === "merchant") return `key:${actor.keyId}`;
  if (actor.type === "shopper" || actor.type === "creator") return `person:${personId(actor)}`;
  return null;
}

const policyHeader = (names: Policy[]) =>
  names.map((name) => `"${name}";q=${policies[name].limit};w=${policies[name].period}`).join(", ");

/** Seconds until the policy's fixed window ends (the count starts again at the next multiple of the period). */
const windowLeft = (name: Policy) => policies[name].period - (Math.floor(Date.now() / 1000) % policies[name].period);

const subjects: Record<Policy, string> = {
  address: "from your address",
  key: "with this credential",
  session_address: "opening sessions from your address",
  session_storefront: "opening sessions with this publishable key",
};

function refusal(name: Policy, applied: Policy[]): ProblemError {
  const { limit, period } = policies[name];
  const retryAfter = windowLeft(name);
  return new ProblemError(
    "rate_limited",
    `Too many requests ${subjects[name]}: at most ${limit} every ${period} s. Retry in ${retryAfter} s.`,
    {
      headers: {
        "retry-after": String(retryAfter),
        ratelimit: `"${name}";r=0;t=${retryAfter}`,
        "ratelimit-policy": policyHeader(applied),
      },
    },
  );
}

/** Counts the request against `name` under `key`; past the limit, a 429 problem. */
async function count(c: Context<{ Bindings: Env }>, name: Policy, key: string, applied: Policy[]): Promise<void> {
  applied.push(name);
  const { success } = await c.env[policies[name].binding].limit({ key });
  if (!success) throw refusal(name, applied);
}

/** Names the policies a response counted against (the innermost middleware knows them all; a socket has none). */
function announce(c: Context, applied: Policy[]): void {
  if (applied.length > 0 && c.res.status !== 101 && !c.res.headers.has("ratelimit-policy")) {
    c.res.headers.set("ratelimit-policy", policyHeader(applied));
  }
}

/**
 * Addresses whose failed secret keys passed the address limit, and until when (this isolate's memory): their next
 * keys are refused before being looked up. Bounded: past this many, it starts again.
 */
const refusedKeysFrom = new Map<string, number>();
const REFUSED_MAX = 10_000;

function refuseKeysFrom(address: string): void {
  if (refusedKeysFrom.size >= REFUSED_MAX) refusedKeysFrom.clear();
  refusedKeysFrom.set(address, Date.now() + windowLeft("address") * 1000);
}

const keysRefused = (address: string) => (refusedKeysFrom.get(address) ?? 0) > Date.now();

/**
 * Before authentication, by address: anonymous requests, and shopper sessions opened or refreshed (their own
 * bucket). A request with a credential is not counted here; a secret key that fails authentication is, afterwards.
 */
export function limitByAddress(): MiddlewareHandler<{ Bindings: Env }> {
  return async function limitByAddressMiddleware(c, next) {
    const ip = c.req.header("cf-connecting-ip");
    if (exempt(c) || !ip) return next();
    const address = addressKey(ip);
    const credential = presented(c);
    const applied: Policy[] = [];
    if (opensShopperSession(c)) await count(c, "session_address", address, applied);
    else if (credential === "none") await count(c, "address", address, applied);
    else if (credential === "key" && keysRefused(address)) throw refusal("address", ["address"]);
    c.set("rateLimitsApplied", applied);
    await next();
    if (credential === "key" && c.res.status === 401) {
      // A wrong secret key costs a lookup: counted against the address; past the limit, refused unlooked-at.
      const { success } = await c.env[policies.address.binding].limit({ key: address });
      if (!success) {
        refuseKeysFrom(address);
        throw refusal("address", ["address"]);
      }
    }
    announce(c, applied);
  };
}

/** After authentication: the credential (secret key or session), and a session opened through a publishable key. */
export function limitByCredential(): MiddlewareHandler<{ Bindings: Env }> {
  return async function limitByCredentialMiddleware(c, next) {
    if (exempt(c)) return next();
    const applied: Policy[] = [...(c.get("rateLimitsApplied") ?? [])];
    const storefront = principalOf(c).storefront;
    const key = credentialKey(c);
    if (opensShopperSession(c) && storefront !== null) {
      await count(c, "session_storefront", storefront.keyId, applied);
    } else if (key !== null) {
      await count(c, "key", key, applied);
    } else {
      return next();
    }
    await next();
    announce(c, applied);
  };
}
