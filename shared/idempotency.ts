// Idempotency-Key for writes a client may retry: the first response is kept 24 h per caller and key, and a retry
// with the same key and body gets it back exactly; the same key with another body is refused (422), and a retry
// while the first request still runs is told so (409). A request that never started (400, invalid input) or failed
// on our side (5xx, a crash) is forgotten, so a corrected or later retry may run (docs/api/conventions.md#idempotency).
import { and, eq, sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { sha256Hex } from "./crypto.ts";
import { type DatabaseConfig, database } from "./db.ts";
import { ProblemError } from "./errors.ts";
import { type Principal, principalOf } from "./principal.ts";
import { idempotencyKeys } from "./schema.ts";

const HEADER = "Idempotency-Key";
const keyPattern = /^[\x21-\x7e]{1,255}$/;
const ttlMs = 24 * 3_600_000;
/**
 * A claim still in progress this long after it was made belongs to a request that never finished (its Worker was
 * killed, or lost its database connection before recording the answer): the next retry takes it over and runs. Well
 * beyond any request's own bounds (a provider call is 10 s, tried twice).
 */
export const ABANDONED_AFTER_MS = 60_000;

declare module "hono" {
  interface ContextVariableMap {
    /** Set on a request that took over an abandoned claim: its first run may have done its work (resumedRun). */
    idempotencyResumed: boolean;
  }
}
/** Expired keys removed by each recorded answer: enough to outpace the keys written, small enough to stay cheap. */
const PURGE_BATCH = 20;
// Response headers worth replaying; the rest (request id, dates) belong to the retry.
const replayedHeaders = ["content-type", "etag", "location"];

/** Who the key belongs to: keys of different callers never collide. */
function callerOf(principal: Principal): string {
  const { actor, storefront } = principal;
  switch (actor.type) {
    case "merchant":
      return `merchant:${actor.merchantId}`;
    case "shopper":
      return `shopper:${actor.shopperId}`;
    case "creator":
      return `creator:${actor.creatorId}`;
    case "operator":
      return "operator";
    case "anonymous":
      return storefront ? `storefront:${storefront.keyId}` : "anonymous";
  }
}

/**
 * The request's Idempotency-Key, checked (a 400 when malformed, or absent and required): the middleware's check, and
 * the whole of it for writes that keep their replay elsewhere (a flash sale's reservations, in the sale's object).
 */
export function idempotencyKeyOf(c: Context, required: true): string;
export function idempotencyKeyOf(c: Context, required: boolean): string | undefined;
export function idempotencyKeyOf(c: Context, required: boolean): string | undefined {
  const key = c.req.header(HEADER);
  if (key === undefined) {
    if (!required) return undefined;
    throw new ProblemError(
      "validation_failed",
      `This request must carry an ${HEADER} header, so that it can be retried safely.`,
      { errors: [{ path: "/headers/idempotency-key", message: "required" }] },
    );
  }
  if (!keyPattern.test(key)) {
    throw new ProblemError("validation_failed", `${HEADER} must be 1 to 255 printable ASCII characters.`, {
      errors: [{ path: "/headers/idempotency-key", message: "1 to 255 printable ASCII characters" }],
    });
  }
  return key;
}

export function idempotency<E extends { Bindings: DatabaseConfig }>(options: {
  required: boolean;
}): MiddlewareHandler<E> {
  return async function idempotencyMiddleware(c, next) {
    const key = idempotencyKeyOf(c, options.required);
    if (key === undefined) return next();
    const db = database(c.env);
    const caller = callerOf(principalOf(c));
    // The body's bytes, not its text: an image upload is not UTF-8, and two that differ only in invalid
    // sequences would decode to the same text.
    const head = new TextEncoder().encode(`${c.req.method} ${c.req.path}\n`);
    const sent = new Uint8Array(await c.req.arrayBuffer());
    const request = new Uint8Array(head.length + sent.length);
    request.set(head);
    request.set(sent, head.length);
    const requestHash = await sha256Hex(request);
    const now = new Date();
    const where = and(eq(idempotencyKeys.caller, caller), eq(idempotencyKeys.key, key));

    const claimed = await db
      .insert(idempotencyKeys)
      .values({
        caller,
        key,
        requestHash,
        status: "in_progress",
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });

    if (claimed.length === 0) {
      const first = await db.query.idempotencyKeys.findFirst({ where });
      if (first && first.expiresAt <= now.toISOString()) {
        // Expired: forget it and treat this request as the first.
        await db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.expiresAt, first.expiresAt)));
        return idempotencyMiddleware(c, next);
      }
      if (!first) return idempotencyMiddleware(c, next);
      if (first.requestHash !== requestHash) {
        throw new ProblemError(
          "idempotency_key_reused",
          `${HEADER} ${key} was used with a different request; use a new key.`,
        );
      }
      if (first.status === "in_progress" || first.responseStatus === null) {
        if (now.getTime() - Date.parse(first.createdAt) >= ABANDONED_AFTER_MS) {
          // Taken over by one retry only: the claim's time moves on, conditioned on nobody having moved it.
          const taken = await db
            .update(idempotencyKeys)
            .set({ createdAt: now.toISOString() })
            .where(
              and(where, eq(idempotencyKeys.status, "in_progress"), eq(idempotencyKeys.createdAt, first.createdAt)),
            )
            .returning({ key: idempotencyKeys.key });
          if (taken.length === 1) {
            c.set("idempotencyResumed", true);
            return run();
          }
        }
        throw new ProblemError(
          "idempotency_key_in_use",
          `A request with ${HEADER} ${key} is still being processed; retry shortly.`,
          {
            headers: { "retry-after": "1" },
          },
        );
      }
      return new Response(first.responseBody, {
        status: first.responseStatus,
        headers: { ...first.responseHeaders, "idempotent-replayed": "true" },
      });
    }

    return run();

    async function run(): Promise<void> {
      try {
        await next();
      } catch (err) {
        await db.delete(idempotencyKeys).where(where);
        throw err;
      }
      // Hono has already turned a thrown error into c.res (app.onError), so the status tells what happened.
      if (c.res.status === 400 || c.res.status >= 500) {
        await db.delete(idempotencyKeys).where(where);
        return;
      }
      const body = await c.res.clone().text();
      const headers = Object.fromEntries(
        replayedHeaders.flatMap((h) => {
          const value = c.res.headers.get(h);
          return value === null ? [] : [[h, value]];
        }),
      );
      await db.batch([
        db
          .update(idempotencyKeys)
          .set({ status: "done", responseStatus: c.res.status, responseBody: body, responseHeaders: headers })
          .where(where),
        // Keys past their time are dropped a few at a time by the writes that record new ones (no sweeper needed).
        db.run(
          sql`DELETE FROM idempotency_keys WHERE rowid IN
              (SELECT rowid FROM idempotency_keys WHERE expires_at < ${now.toISOString()} LIMIT ${PURGE_BATCH})`,
        ),
      ]);
    }
  };
}

/**
 * True when this request took over its key from a first run that never answered: that run may have done the work
 * before it died, so a handler whose work is already done answers with it rather than refusing the repeat.
 */
export function resumedRun(c: Context): boolean {
  return c.get("idempotencyResumed") === true;
}
