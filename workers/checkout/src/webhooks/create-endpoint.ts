// createEndpoint: a merchant's new webhook endpoint, its URL checked by the guard, with a fresh signing secret (and
// an Ed25519 pair when asked), both kept encrypted. The secret is returned this once.

import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { webhookEndpoints } from "#shared/schema.ts";
import type { WebhookEventType } from "#shared/webhook-events.ts";
import { toEndpoint, type WebhookEndpoint } from "./endpoint.ts";
import { kickEndpoint } from "./kick.ts";
import { seal } from "./secrets.ts";
import { newEd25519Pair, newSigningSecret } from "./signing.ts";
import { allowPrivateUrls, checkWebhookUrl } from "./url-guard.ts";

/** The URL as the guard accepts it, or 400 at /url. */
export function guardedUrl(env: Env, url: string): string {
  const verdict = checkWebhookUrl(url, allowPrivateUrls(env));
  if (!verdict.ok) {
    throw new ProblemError("validation_failed", `The webhook URL ${verdict.reason}.`, {
      errors: [{ path: "/url", message: verdict.reason }],
    });
  }
  return verdict.url.href;
}

/** The columns of a new Ed25519 pair: the private key sealed, the public key as given to the merchant. */
export async function ed25519Columns(env: Env) {
  const pair = await newEd25519Pair();
  return { ed25519PrivateKey: await seal(env, pair.privateKey), ed25519PublicKey: pair.publicKey };
}

export async function createEndpoint({
  env,
  db,
  merchantId,
  livemode,
  input,
}: {
  env: Env;
  db: Database;
  merchantId: string;
  /** The creating key's mode: the endpoint receives that mode's events only. */
  livemode: boolean;
  input: {
    url: string;
    eventTypes: WebhookEventType[];
    description?: string;
    ed25519?: boolean;
    inventoryLowThreshold?: number;
  };
}): Promise<WebhookEndpoint & { secret: string }> {
  const url = guardedUrl(env, input.url);
  const secret = newSigningSecret();
  const at = new Date().toISOString();
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id: newId("whep"),
      merchantId,
      livemode,
      url,
      description: input.description ?? "",
      eventTypes: JSON.stringify(input.eventTypes),
      secret: await seal(env, secret),
      ...(input.ed25519 ? await ed25519Columns(env) : {}),
      inventoryLowThreshold: input.inventoryLowThreshold ?? 10,
      createdAt: at,
      updatedAt: at,
    })
    .returning();
  if (!row) throw new Error("webhook endpoint insert returned nothing");
  // Its dispatcher starts looking for deliveries now (also those the catalog and live Workers record).
  await kickEndpoint(row.id);
  return { ...toEndpoint(row), secret };
}
