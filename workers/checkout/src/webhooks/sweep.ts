// The platform-wide webhook sweep, once a minute (the checkout Worker's cron trigger; `npm start` fires it the same
// way, dev/bundles.ts): kicks the dispatcher of every enabled endpoint with a delivery already due, so a message whose
// kick was lost (the writer's isolate ended first, a network fault) goes out at most about a minute late. Its cost
// grows with the endpoints that have work pending, never with the endpoints there are: the endpoints with a pending
// delivery are walked through a partial index of pending rows, one index step each.
// Design: docs/design/webhooks.md#the-sweep
import { database } from "#shared/db.ts";
import { log } from "#shared/log.ts";
import { kickEndpoint } from "./kick.ts";

/** More than this many endpoints overdue in one minute: the rest wait for the next sweep. */
const SWEEP_LIMIT = 5_000;
const KICKS_AT_ONCE = 50;

/** The enabled endpoints with a pending delivery due by `now` (at most SWEEP_LIMIT). */
export async function dueEndpoints(env: Env, now = Date.now()): Promise<string[]> {
  const { rows } = await database(env).$client.execute({
    sql: `WITH RECURSIVE pending(endpoint_id) AS (
            SELECT (SELECT min(endpoint_id) FROM webhook_deliveries WHERE status = 'pending')
            UNION ALL
            SELECT (SELECT min(d.endpoint_id) FROM webhook_deliveries d
                    WHERE d.status = 'pending' AND d.endpoint_id > p.endpoint_id)
            FROM pending p WHERE p.endpoint_id IS NOT NULL
          )
          SELECT p.endpoint_id AS id FROM pending p JOIN webhook_endpoints e ON e.id = p.endpoint_id
          WHERE e.disabled_at IS NULL AND EXISTS (
            SELECT 1 FROM webhook_deliveries d
            WHERE d.endpoint_id = p.endpoint_id AND d.status = 'pending' AND d.next_attempt_at <= ?)
          LIMIT ?`,
    args: [new Date(now).toISOString(), SWEEP_LIMIT],
  });
  return rows.map((row) => String(row.id));
}

/** Kicks every enabled endpoint with a pending delivery due by `now`; how many it kicked. */
export async function sweepWebhooks(env: Env, now = Date.now()): Promise<number> {
  const ids = await dueEndpoints(env, now);
  for (let i = 0; i < ids.length; i += KICKS_AT_ONCE) {
    const results = await Promise.allSettled(ids.slice(i, i + KICKS_AT_ONCE).map(kickEndpoint));
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed > 0) log("warn", "webhook sweep: kicks failed", { failed });
  }
  // Each one is a delivery a kick should have started: worth seeing in the logs.
  if (ids.length > 0) log("info", "webhook sweep kicked dispatchers", { endpoints: ids.length });
  return ids.length;
}
