// The API shape of a webhook endpoint, declared once, and reading a merchant's own endpoint (another's is a 404).
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { resourceFields, setOf } from "#shared/openapi/schemas.ts";
import { webhookEndpoints } from "#shared/schema.ts";
import { webhookEventTypes } from "#shared/webhook-events.ts";

export const EventTypesSchema = setOf(z.enum(webhookEventTypes))
  .min(1)
  .max(webhookEventTypes.length)
  .openapi({ example: ["order.paid", "order.refunded"] });

export const WebhookEndpointSchema = z
  .object({
    ...resourceFields("webhook_endpoint", "whep"),
    livemode: z.boolean().openapi({ description: "It receives only events of its mode: live (true) or test (false)." }),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.enum(webhookEventTypes)),
    enabled: z.boolean(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable().openapi({
      description: "Why the platform disabled it (410 Gone, or 5 days of failures); null when the merchant did.",
    }),
    failingSince: z.string().nullable().openapi({ description: "The first failure since the last success." }),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "Until then deliveries are signed with the previous secret too (after a rotation)." }),
    ed25519PublicKey: z.string().nullable().openapi({
      description: "`whpk_` + base64 of the Ed25519 public key that verifies the `v1a` signature; null when off.",
    }),
    inventoryLowThreshold: z.number().int().openapi({ description: "inventory.low: stock falling below this." }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");

export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;
type Row = typeof webhookEndpoints.$inferSelect;

export function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id,
    object: "webhook_endpoint",
    livemode: row.livemode,
    url: row.url,
    description: row.description,
    eventTypes: EventTypesSchema.catch([]).parse(JSON.parse(row.eventTypes)),
    enabled: row.disabledAt === null,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    ed25519PublicKey: row.ed25519PublicKey,
    inventoryLowThreshold: row.inventoryLowThreshold,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The merchant's own endpoint row, or 404. */
export async function ownEndpoint(db: Database, merchantId: string, id: string): Promise<Row> {
  const row = await db.query.webhookEndpoints.findFirst({
    where: and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, merchantId)),
  });
  if (!row) throw new ProblemError("not_found", `Webhook endpoint ${id} does not exist.`);
  return row;
}
