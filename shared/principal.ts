// Who is calling, as the gateway established it. The gateway authenticates every request (API keys, the operator
// key, publishable keys and their origins, shopper and creator JWTs) and hands the result to the Worker behind it
// in one header; the backends are reachable only through the gateway's service bindings, so they trust it.
// A header from outside is always replaced by the gateway, never passed on.
import type { Context, MiddlewareHandler } from "hono";
import { ProblemError } from "./errors.ts";
import { type Scope, scopes } from "./scopes.ts";

export const PRINCIPAL_HEADER = "x-zhongcao-principal";

export { type Scope, scopes };

/** Test or live: two worlds, as Stripe keeps them (docs/guides/test-and-live-modes.md). A key's prefix names its mode. */
export type Mode = "test" | "live";

/** The storefront a browser or app call came through (its publishable key). */
export interface Storefront {
  keyId: string;
  merchantId: string;
  /** The publishable key's mode; absent (a session token from before modes): test. */
  mode?: Mode;
}

export type Actor =
  | { type: "anonymous" }
  | { type: "operator" }
  | { type: "merchant"; merchantId: string; keyId: string; scopes: Scope[]; mode: Mode }
  | { type: "shopper"; shopperId: string; sessionId: string }
  | { type: "creator"; creatorId: string; sessionId: string };

export interface Principal {
  actor: Actor;
  storefront: Storefront | null;
}

export const anonymous: Principal = { actor: { type: "anonymous" }, storefront: null };

declare module "hono" {
  interface ContextVariableMap {
    /** Set by the gateway's authenticate middleware; the backends read the header instead. */
    principal: Principal;
  }
}

export function encodePrincipal(principal: Principal): string {
  return JSON.stringify(principal);
}

/** The caller of a request that came through the gateway (or, in the gateway, as it resolved it); anonymous when the header is missing. */
export function principalOf(c: Context): Principal {
  // In the gateway the principal is already resolved for this request (and an inbound header means nothing).
  const resolved = c.get("principal") as Principal | undefined;
  if (resolved) return resolved;
  const header = c.req.header(PRINCIPAL_HEADER);
  const principal = header ? (JSON.parse(header) as Principal) : anonymous;
  // Kept for the rest of the request: a route's caller check and then its handler both ask.
  c.set("principal", principal);
  return principal;
}

/**
 * The mode a request acts in: a merchant's secret key's, else its storefront's (a shopper's or creator's session
 * keeps the one it was opened through); test when neither names one (the operator chooses where it reads figures). Every carted, ordered, paid, hooked or counted
 * row is read and written in this mode only: the other mode's is a 404, as another tenant's.
 */
export function modeOf(principal: Principal): Mode {
  if (principal.actor.type === "merchant") return principal.actor.mode;
  return principal.storefront?.mode ?? "test";
}

/** The request's mode as the `livemode` column stores it (true: live). */
export function livemodeOf(c: Context): boolean {
  return modeOf(principalOf(c)) === "live";
}

/** A merchant's secret key with `scope`, or a 401/403 problem. */
export function requireMerchant(c: Context, scope: Scope): Extract<Actor, { type: "merchant" }> {
  const { actor } = principalOf(c);
  if (actor.type !== "merchant") {
    throw new ProblemError("unauthorized", "This route needs a merchant's secret key: Authorization: Bearer sk_…");
  }
  if (!actor.scopes.includes(scope)) {
    throw new ProblemError("forbidden", `This key lacks the scope ${scope}.`);
  }
  return actor;
}

export function requireOperator(c: Context): void {
  if (principalOf(c).actor.type !== "operator") {
    throw new ProblemError(
      "unauthorized",
      "This route needs the operator key: Authorization: Bearer <PLATFORM_ADMIN_KEY>.",
    );
  }
}

/**
 * A merchant's secret key with `scope` (returned; without the scope a 403), or a caller `other` accepts (undefined):
 * `requireMerchantOr(c, "orders:read", requirePerson)`. Anyone else gets `other`'s 401, naming both credentials.
 */
export function requireMerchantOr(
  c: Context,
  scope: Scope,
  other: (c: Context) => unknown,
): Extract<Actor, { type: "merchant" }> | undefined {
  if (principalOf(c).actor.type === "merchant") return requireMerchant(c, scope);
  try {
    other(c);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.code !== "unauthorized") throw error;
    throw new ProblemError("unauthorized", `${error.message} Or a merchant's secret key: Authorization: Bearer sk_….`);
  }
  return undefined;
}

/**
 * The owner a merchant's key with `scope` or a creator's session names (`{ merchantId }` or `{ creatorId }`), for
 * what both may read or act on: plans, briefs, samples, the commission ledger. Anyone else: 401 naming both.
 */
export function merchantOrCreator(c: Context, scope: Scope): { merchantId: string } | { creatorId: string } {
  const merchant = requireMerchantOr(c, scope, requireCreator);
  return merchant ? { merchantId: merchant.merchantId } : { creatorId: requireCreator(c) };
}

/**
 * The calling creator's id (its session), or a 401 problem whose detail says that `what` needs a creator's access
 * token ("Answering a plan needs …").
 */
export function requireCreator(c: Context, what = "This route"): string {
  const { actor } = principalOf(c);
  if (actor.type === "creator") return actor.creatorId;
  throw new ProblemError("unauthorized", `${what} needs a creator's access token: Authorization: Bearer <JWT>.`);
}

/** A signed-in shopper or creator (a person), or a 401 problem. */
export function requirePerson(c: Context): Extract<Actor, { type: "shopper" | "creator" }> {
  const { actor } = principalOf(c);
  if (actor.type === "shopper" || actor.type === "creator") return actor;
  throw new ProblemError(
    "unauthorized",
    "This route needs a shopper or creator access token: Authorization: Bearer <JWT>.",
  );
}

/**
 * The customer calling: a signed-in shopper or creator (its prefixed id), or a storefront's guest (`guest:<key id>`,
 * its publishable key and nobody signed in). Carts, orders and a storefront's beacons take no one else: a 401.
 */
export function customerOf(c: Context): string {
  const { actor, storefront } = principalOf(c);
  if (actor.type === "shopper" || actor.type === "creator") return personId(actor);
  if (actor.type === "anonymous" && storefront) return `guest:${storefront.keyId}`;
  throw new ProblemError(
    "unauthorized",
    "This route needs a storefront's publishable key (a guest) or a shopper's access token.",
  );
}

/** The prefixed id of a person actor (`shp_…` or `cre_…`). */
export function personId(actor: Extract<Actor, { type: "shopper" | "creator" }>): string {
  return actor.type === "shopper" ? actor.shopperId : actor.creatorId;
}

/** Middleware: `check` (requirePerson, requireOperator…) refuses the wrong caller before the route reads its input. */
export function checkFirst(check: (c: Context) => unknown): MiddlewareHandler {
  return async function checkFirstMiddleware(c, next) {
    await check(c);
    await next();
  };
}

/** Middleware form of requireMerchant, for routes that must refuse a caller before reading its input. */
export function merchantScope(scope: Scope): MiddlewareHandler {
  return checkFirst((c) => requireMerchant(c, scope));
}
