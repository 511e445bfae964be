// Who is calling: resolves the request's credentials into a Principal (shared/principal.ts), which the gateway's own
// routes read and forward.ts hands to the Worker behind it. A bad, unknown or revoked credential is a 401 at once; a
// missing one is anonymous. Keys are looked up by hash, secret and publishable together in one query; publishable
// keys are remembered for a few seconds per isolate (key-cache.ts), so a storefront's calls usually need none.

import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { log } from "#shared/log.ts";
import { anonymous, type Mode, type Principal, type Scope, type Storefront } from "#shared/principal.ts";
import { apiKeys } from "#shared/schema.ts";
import { type FoundKey, findKeys, isScope, modeOf } from "../api-keys/keys.ts";
import { verifyAccessToken } from "../sessions/signing.ts";
import { cacheSeconds, recall, remember } from "./key-cache.ts";

const secretKeyPattern = /^sk_(test|live)_[0-9a-f]{40}$/;
const publishableKeyPattern = /^pk_(test|live)_[0-9a-f]{40}$/;
const jwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
// lastUsedAt is kept to the minute, so a busy key costs one write a minute rather than one a request.
const lastUsedResolutionMs = 60_000;

const unauthorized = (detail: string) => new ProblemError("unauthorized", detail);

/** Runs work after the response (lastUsedAt), without holding it up; outside a request context, just starts it. */
function afterResponse(c: Context, work: Promise<unknown>): void {
  const quiet = work.catch((err: unknown) =>
    log("warn", "background write failed", { error: err instanceof Error ? err.message : String(err) }),
  );
  try {
    c.executionCtx.waitUntil(quiet);
  } catch {
    // app.request() in tests has no execution context; the promise still runs.
  }
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** The operator key, compared in constant time (both hashed first, so lengths match and nothing leaks by timing). */
async function isOperatorKey(env: Env, presented: string): Promise<boolean> {
  if (!env.PLATFORM_ADMIN_KEY) return false;
  const [a, b] = await Promise.all([sha256(presented), sha256(env.PLATFORM_ADMIN_KEY)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

function touch(c: Context<{ Bindings: Env }>, key: FoundKey): void {
  const now = new Date();
  if (key.lastUsedAt && now.getTime() - Date.parse(key.lastUsedAt) < lastUsedResolutionMs) return;
  const db = database(c.env);
  // Also the remembered copy's, so a cached key is touched once a minute too.
  key.lastUsedAt = now.toISOString();
  afterResponse(c, db.update(apiKeys).set({ lastUsedAt: key.lastUsedAt }).where(eq(apiKeys.id, key.id)));
}

/** Test and live never mix in one request: a publishable key of the other mode than the credential beside it is a 401. */
function sameMode(mode: Mode, storefront: Storefront | null): void {
  if (storefront && (storefront.mode ?? "test") !== mode) {
    throw unauthorized(
      `This ${mode}-mode credential cannot be used with a ${storefront.mode}-mode publishable key: test and live are kept apart.`,
    );
  }
}

function usable(key: FoundKey | undefined): key is FoundKey {
  return key !== undefined && key.revokedAt === null && key.merchantStatus !== "suspended";
}

/**
 * Webhooks from outside services (LiveKit, payment providers) prove themselves with their own signatures, which
 * the receiving Worker checks; their Authorization header is that signature, not a platform credential.
 */
export function isWebhook(path: string): boolean {
  return path.startsWith("/v1/webhooks/");
}

export function authenticate(): MiddlewareHandler<{ Bindings: Env }> {
  return async function authenticateMiddleware(c, next) {
    if (isWebhook(c.req.path)) {
      c.set("principal", anonymous);
      return next();
    }
    const authorization = c.req.header("authorization");
    const publishable = c.req.header("x-publishable-key");
    let bearer: string | undefined;
    if (authorization !== undefined) {
      const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
      if (!match?.[1]) throw unauthorized("The Authorization header must be `Bearer <key or token>`.");
      bearer = match[1];
    }
    if (publishable !== undefined && !publishableKeyPattern.test(publishable)) {
      throw unauthorized("X-Publishable-Key must be a publishable key (pk_test_… or pk_live_…).");
    }

    const remembered = publishable === undefined ? null : recall(publishable);
    const lookups = [
      bearer && secretKeyPattern.test(bearer) ? bearer : undefined,
      remembered ? undefined : publishable,
    ].filter((v): v is string => v !== undefined);
    const found = lookups.length > 0 ? await findKeys(database(c.env), lookups) : new Map<string, FoundKey>();

    let storefront: Storefront | null = null;
    if (publishable !== undefined) {
      const key = remembered ? remembered.key : found.get(publishable);
      if (!remembered) remember(publishable, key, cacheSeconds(c.env));
      if (!usable(key) || key.kind !== "publishable" || key.merchantId === null) {
        throw unauthorized("The publishable key is unknown or revoked.");
      }
      // Browsers send Origin; a server or an app sends none and is let through.
      const origin = c.req.header("origin");
      if (origin !== undefined && !key.allowedOrigins.includes(origin)) {
        throw new ProblemError("forbidden", `This publishable key may not be used from the origin ${origin}.`);
      }
      storefront = { keyId: key.id, merchantId: key.merchantId, mode: modeOf(key.displayPrefix) };
      touch(c, key);
    }

    let principal: Principal = { ...anonymous, storefront };
    if (bearer !== undefined) {
      if (secretKeyPattern.test(bearer)) {
        const key = found.get(bearer);
        if (!usable(key) || key.kind !== "secret" || key.merchantId === null) {
          throw unauthorized("The secret key is unknown or revoked.");
        }
        const granted = key.scopes.filter(isScope) satisfies Scope[];
        sameMode(modeOf(key.displayPrefix), storefront);
        principal = {
          actor: {
            type: "merchant",
            merchantId: key.merchantId,
            keyId: key.id,
            scopes: granted,
            mode: modeOf(key.displayPrefix),
          },
          storefront,
        };
        touch(c, key);
      } else if (bearer.startsWith("ck_")) {
        throw unauthorized("A creator key is not a bearer credential: exchange it at POST /v1/creator-sessions.");
      } else if (bearer.startsWith("pk_")) {
        throw unauthorized("A publishable key goes in X-Publishable-Key, not Authorization.");
      } else if (jwtPattern.test(bearer)) {
        const claims = await verifyAccessToken(c.env, bearer);
        sameMode(claims.storefront?.mode ?? "test", storefront);
        principal = {
          actor:
            claims.role === "shopper"
              ? { type: "shopper", shopperId: claims.subject, sessionId: claims.sessionId }
              : { type: "creator", creatorId: claims.subject, sessionId: claims.sessionId },
          // The storefront of this request's publishable key, else the one the session was opened through.
          storefront: storefront ?? claims.storefront,
        };
      } else if (await isOperatorKey(c.env, bearer)) {
        principal = { actor: { type: "operator" }, storefront };
      } else {
        throw unauthorized("The credential in the Authorization header is not one this platform knows.");
      }
    }
    c.set("principal", principal);
    await next();
  };
}
