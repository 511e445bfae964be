// Sending again, by the merchant: resend one message to an endpoint (whatever became of it, a fresh schedule),
// replay every message that failed since a time, or send a test event to the endpoint alone. Each puts deliveries
// back in the outbox as due now and kicks the endpoint's dispatcher.
import { sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import type { WebhookEventType } from "#shared/webhook-events.ts";
import { ownEndpoint } from "./endpoint.ts";
import { kickEndpoint } from "./kick.ts";

interface Target {
  db: Database;
  merchantId: string;
  endpointId: string;
}

const again = (at: string) => sql`status = 'pending', attempts = 0, next_attempt_at = ${at}, updated_at = ${at}`;

export async function resendMessage({ db, merchantId, endpointId, messageId }: Target & { messageId: string }) {
  await ownEndpoint(db, merchantId, endpointId);
  const at = new Date().toISOString();
  const result = await db.run(
    sql`UPDATE webhook_deliveries SET ${again(at)} WHERE endpoint_id = ${endpointId} AND message_id = ${messageId}`,
  );
  if (result.rowsAffected === 0) {
    throw new ProblemError("not_found", `Message ${messageId} was never sent to endpoint ${endpointId}.`);
  }
  await kickEndpoint(endpointId);
}

/** Every message that failed (given up) since `since` goes out again; how many. */
export async function replayFailed({ db, merchantId, endpointId, since }: Target & { since: string }) {
  await ownEndpoint(db, merchantId, endpointId);
  const at = new Date().toISOString();
  const result = await db.run(
    sql`UPDATE webhook_deliveries SET ${again(at)}
        WHERE endpoint_id = ${endpointId} AND status = 'failed' AND created_at >= ${since}`,
  );
  if (result.rowsAffected > 0) await kickEndpoint(endpointId);
  return result.rowsAffected;
}

/** A test event of `type` (`data.test` is true), recorded and sent to this endpoint only. */
export async function sendTestEvent({ db, merchantId, endpointId, type }: Target & { type: WebhookEventType }) {
  const endpoint = await ownEndpoint(db, merchantId, endpointId);
  if (endpoint.disabledAt !== null) throw new ProblemError("conflict", `Webhook endpoint ${endpointId} is disabled.`);
  const now = new Date();
  const at = now.toISOString();
  const messageId = newId("msg", now.getTime());
  const livemode = endpoint.livemode;
  const payload = JSON.stringify({ type, livemode, timestamp: at, data: { test: true, endpointId } });
  await db.batch([
    db.run(
      sql`INSERT INTO webhook_messages (id, type, livemode, payload, created_at)
          VALUES (${messageId}, ${type}, ${livemode ? 1 : 0}, ${payload}, ${at})`,
    ),
    db.run(
      sql`INSERT INTO webhook_deliveries (message_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
          VALUES (${messageId}, ${endpointId}, 'pending', 0, ${at}, ${at}, ${at})`,
    ),
  ]);
  await kickEndpoint(endpointId);
  return messageId;
}
