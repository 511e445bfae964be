// What the operator manages and what a merchant reads of its own is never stored by a cache on the way: the gateway
// caches only `public` answers, and a browser or proxy must not keep them either.
import type { MiddlewareHandler } from "hono";

export const privateCache: MiddlewareHandler = async function privateCache(c, next) {
  await next();
  c.header("cache-control", "private, no-store");
};
