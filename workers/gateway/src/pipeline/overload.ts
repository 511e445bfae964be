// Load shedding: at most MAX_IN_FLIGHT requests in progress in this isolate at once. Past that, the next request is
// refused at once with 429 `rate_limited` and Retry-After: 1, instead of queueing behind the others until every
// request in the isolate is late (an open-loop surge past capacity makes all of them time out, none refused).
// /health and provider webhooks are exempt, as from the rate limits; "0" turns it off.
import type { MiddlewareHandler } from "hono";
import { ProblemError } from "#shared/errors.ts";
import { isWebhook } from "./authenticate.ts";

export function shedLoad(): MiddlewareHandler<{ Bindings: Env }> {
  let inFlight = 0;
  return async function shedLoadMiddleware(c, next) {
    const max = Number(c.env.MAX_IN_FLIGHT);
    if (!(max > 0) || c.req.method === "OPTIONS" || c.req.path === "/health" || isWebhook(c.req.path)) return next();
    if (inFlight >= max) {
      throw new ProblemError(
        "rate_limited",
        `The platform is serving as many requests as it can (${max} at once here). Retry in 1 s.`,
        { headers: { "retry-after": "1", "ratelimit-policy": `"in-flight";q=${max}` } },
      );
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
