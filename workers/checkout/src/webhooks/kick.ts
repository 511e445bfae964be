// After a batch that recorded webhook events commits, the dispatchers of the endpoints they were fanned out to are
// told to run now, in the background (best effort: each dispatcher also looks for due deliveries on its own alarm).
import { env, waitUntil } from "cloudflare:workers";
import type { ResultSet } from "@libsql/client/web";
import { log } from "#shared/log.ts";
import { fannedOutTo } from "#shared/webhook-events.ts";

export function kickDispatchers(results: readonly ResultSet[]): void {
  const endpoints = fannedOutTo(results);
  if (endpoints.length === 0) return;
  waitUntil(
    Promise.all(endpoints.map(kickEndpoint)).catch((err) => log("warn", "webhook kick failed", { error: String(err) })),
  );
}

export const kickEndpoint = (endpointId: string) => env.WEBHOOK_DISPATCHER.getByName(endpointId).kick(endpointId);
