// updateEndpoint: the merchant changes its endpoint's URL (guarded), event types, description, threshold, Ed25519
// pair (on: a new pair; off: none), or enables/disables it (enabling clears the platform's reason and the failure
// run, and wakes its dispatcher). rotateSecret: a new secret, the old one still signing until the overlap ends.
// deleteEndpoint: the endpoint, its pending deliveries and its log are gone.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { checkIfMatch, etagOf } from "#shared/etag.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "#shared/schema.ts";
import type { WebhookEventType } from "#shared/webhook-events.ts";
import { ed25519Columns, guardedUrl } from "./create-endpoint.ts";
import { ownEndpoint, toEndpoint, type WebhookEndpoint } from "./endpoint.ts";
import { kickEndpoint } from "./kick.ts";
import { seal } from "./secrets.ts";
import { newSigningSecret } from "./signing.ts";

export interface EndpointChanges {
  url?: string;
  eventTypes?: WebhookEventType[];
  description?: string;
  enabled?: boolean;
  ed25519?: boolean;
  inventoryLowThreshold?: number;
}

export async function updateEndpoint({
  env,
  db,
  merchantId,
  id,
  changes,
  ifMatch,
}: {
  env: Env;
  db: Database;
  merchantId: string;
  id: string;
  changes: EndpointChanges;
  ifMatch: string | undefined;
}): Promise<WebhookEndpoint> {
  const current = await ownEndpoint(db, merchantId, id);
  checkIfMatch(ifMatch, etagOf(current));
  const at = new Date().toISOString();
  const enabling = changes.enabled === true && current.disabledAt !== null;
  const keyPair =
    changes.ed25519 === undefined || changes.ed25519 === (current.ed25519PublicKey !== null)
      ? {}
      : changes.ed25519
        ? await ed25519Columns(env)
        : { ed25519PrivateKey: null, ed25519PublicKey: null };
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...(changes.url === undefined ? {} : { url: guardedUrl(env, changes.url) }),
      ...(changes.eventTypes === undefined ? {} : { eventTypes: JSON.stringify(changes.eventTypes) }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.inventoryLowThreshold === undefined ? {} : { inventoryLowThreshold: changes.inventoryLowThreshold }),
      ...(enabling ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
      ...(changes.enabled === false && current.disabledAt === null ? { disabledAt: at, disabledReason: null } : {}),
      ...keyPair,
      version: sql`${webhookEndpoints.version} + 1`,
      updatedAt: at,
    })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.version, current.version)))
    .returning();
  if (!row) return updateEndpoint({ env, db, merchantId, id, changes, ifMatch });
  if (enabling) await kickEndpoint(id);
  return toEndpoint(row);
}

export async function rotateSecret({
  env,
  db,
  merchantId,
  id,
  overlapSeconds,
}: {
  env: Env;
  db: Database;
  merchantId: string;
  id: string;
  overlapSeconds: number;
}): Promise<WebhookEndpoint & { secret: string }> {
  const current = await ownEndpoint(db, merchantId, id);
  const secret = newSigningSecret();
  const now = Date.now();
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      secret: await seal(env, secret),
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(now + overlapSeconds * 1000).toISOString(),
      version: sql`${webhookEndpoints.version} + 1`,
      updatedAt: new Date(now).toISOString(),
    })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.version, current.version)))
    .returning();
  if (!row) return rotateSecret({ env, db, merchantId, id, overlapSeconds });
  return { ...toEndpoint(row), secret };
}

export async function deleteEndpoint({ db, merchantId, id }: { db: Database; merchantId: string; id: string }) {
  await ownEndpoint(db, merchantId, id);
  await db.batch([
    db.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)),
    db.delete(webhookAttempts).where(eq(webhookAttempts.endpointId, id)),
    db.delete(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, merchantId))),
  ]);
}
