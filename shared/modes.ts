// Test and live are two worlds (docs/guides/test-and-live-modes.md): a request acts in its principal's mode, and a
// resource of the other mode is answered as one that does not exist, exactly as another tenant's. Each router whose
// resources have a mode guards its `/{id}` routes with modeGuard; its lists filter and its writes stamp `livemode`.
import type { MiddlewareHandler } from "hono";
import { type DatabaseConfig, database } from "./db.ts";
import { ProblemError } from "./errors.ts";
import { modeOf, principalOf } from "./principal.ts";

/**
 * Middleware for `/:id` and `/:id/*`: a 404 (`<what> <id> does not exist.`) when the row `lookup` finds for the id
 * is of the other mode. `lookup` is SQL with one `?` (the id) selecting one `livemode` column. An id that finds no
 * row passes on, for the route to answer as it would (400 for a malformed id, 404 for an unknown one). A caller with
 * no credential at all has no mode and is not looked up: every guarded route answers it 401 itself.
 */
export function modeGuard(lookup: string, what: string): MiddlewareHandler<{ Bindings: DatabaseConfig }> {
  return async function modeGuardMiddleware(c, next) {
    const id = c.req.param("id");
    const principal = principalOf(c);
    if (id && (principal.actor.type !== "anonymous" || principal.storefront !== null)) {
      const found = await database(c.env).$client.execute({ sql: lookup, args: [id] });
      const row = found.rows[0];
      if (row !== undefined && Boolean(row.livemode) !== (modeOf(principal) === "live")) {
        throw new ProblemError("not_found", `${what} ${id} does not exist.`);
      }
    }
    await next();
  };
}
