// After a batch that recorded webhook events commits, the dispatchers of the endpoints they were fanned out to are
// told to run now, in the background (best effort: the minute's sweep, sweep.ts, kicks any that was missed).
import { env, waitUntil } from "cloudflare:workers";
import type { ResultSet } from "@libsql/client/web";
import { kickFannedOut, kickEndpoint as kickOne } from "#shared/webhook-kick.ts";

export function kickDispatchers(results: readonly ResultSet[]): void {
  waitUntil(kickFannedOut(env.WEBHOOK_DISPATCHER, results));
}

export const kickEndpoint = (endpointId: string) => kickOne(env.WEBHOOK_DISPATCHER, endpointId);
