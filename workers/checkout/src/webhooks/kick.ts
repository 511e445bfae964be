// After a batch that recorded webhook events commits, the dispatchers of the endpoints they fan out to are told to
// run now, in the background (best effort: each dispatcher also looks for due deliveries on its own alarm).
import { waitUntil } from "cloudflare:workers";
import { database } from "../../../../shared/db.ts";
import { log } from "../../../../shared/log.ts";

export function kickDispatchers(env: Env, messageIds: string[]): void {
  if (messageIds.length === 0) return;
  waitUntil(
    (async () => {
      const rows = await database(env).$client.execute({
        sql: "SELECT DISTINCT endpoint_id FROM webhook_deliveries WHERE message_id IN (SELECT value FROM json_each(?))",
        args: [JSON.stringify(messageIds)],
      });
      await Promise.all(rows.rows.map((row) => kickEndpoint(env, String(row.endpoint_id))));
    })().catch((err) => log("warn", "webhook kick failed", { error: String(err) })),
  );
}

export const kickEndpoint = (env: Env, endpointId: string) =>
  env.WEBHOOK_DISPATCHER.getByName(endpointId).kick(endpointId);
