// Waking the checkout Worker's WebhookDispatcher objects once a batch that recorded webhook events has committed:
// every Worker that records events (checkout itself, catalog's inventory.low, live's session events) kicks the
// dispatchers of the endpoints its batch fanned the events out to, through its WEBHOOK_DISPATCHER binding (catalog and
// live bind checkout's class with `script_name`). Best effort: the checkout Worker's sweep, once a minute, kicks any
// endpoint with a delivery already due, so a lost kick costs at most about a minute.
// Design: docs/design/webhooks.md#the-dispatcher
import type { ResultSet } from "@libsql/client/web";
import { log } from "./log.ts";
import { fannedOutTo } from "./webhook-events.ts";

/** A WEBHOOK_DISPATCHER binding: checkout's own namespace, or another Worker's binding to it. */
export interface DispatcherBinding {
  getByName(name: string): unknown;
}

interface Kickable {
  kick(endpointId: string): Promise<void>;
}

/** Something may be due for the endpoint: its dispatcher runs a pass now (idempotent). */
export const kickEndpoint = (dispatchers: DispatcherBinding, endpointId: string): Promise<void> =>
  (dispatchers.getByName(endpointId) as Kickable).kick(endpointId);

/**
 * Kicks the dispatchers a committed batch's events were fanned out to, from the batch's results (no event: nothing
 * to do). Never rejects (a failure is logged), so a caller may hand it to waitUntil and answer at once.
 */
export async function kickFannedOut(dispatchers: DispatcherBinding, results: readonly unknown[]): Promise<void> {
  // A drizzle batch mixes raw result sets (db.run, where the events are) with mapped rows.
  const sets = results.filter(
    (r): r is ResultSet => typeof r === "object" && r !== null && Array.isArray((r as ResultSet).columns),
  );
  const endpoints = fannedOutTo(sets);
  if (endpoints.length === 0) return;
  await Promise.all(endpoints.map((id) => kickEndpoint(dispatchers, id))).catch((err) =>
    log("warn", "webhook kick failed", { error: String(err) }),
  );
}
