// Merchant webhooks (the checkout Worker serves and delivers them; any Worker may record events): endpoints,
// messages, the outbox of deliveries, and the log of attempts.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { livemode, requiredRef, status, timestamp, timestamps, version } from "./columns.ts";
import { merchantListIndex, merchantOwned } from "./owners.ts";

// A merchant's receiving URL. The signing secret (`whsec_…`) must be usable to sign, so it is kept encrypted
// (AES-GCM under WEBHOOK_SECRETS_KEY), never hashed; after a rotation the previous one signs too until it expires.
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    ...merchantOwned(),
    // An endpoint receives only the events of its own mode.
    ...livemode(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    // JSON array of event types.
    eventTypes: text("event_types").notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    // Ed25519 (`v1a`): the private key encrypted like the secret, the public key as base64 of its 32 raw bytes.
    ed25519PrivateKey: text("ed25519_private_key"),
    ed25519PublicKey: text("ed25519_public_key"),
    // inventory.low fires when a SKU's stock falls below this.
    inventoryLowThreshold: integer("inventory_low_threshold").notNull().default(10),
    disabledAt: text("disabled_at"),
    disabledReason: text("disabled_reason"),
    // The first failure of the current run of failures (null after a success): 5 days of them disable the endpoint.
    failingSince: text("failing_since"),
    ...version(),
    ...timestamps(),
  },
  (t) => [merchantListIndex("webhook_endpoints", t)],
);

// One event (a Standard Webhooks message): its id is the `webhook-id`, its payload the exact body signed.
export const webhookMessages = sqliteTable("webhook_messages", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  // The mode of what it tells of (also `livemode` in its payload); delivered only to endpoints of that mode.
  ...livemode(),
  // For events that happen once per subject (a flash sale selling out): a second recording inserts nothing.
  dedupeKey: text("dedupe_key").unique(),
  // Order events: the order's version after the change.
  sequence: integer("sequence"),
  payload: text("payload").notNull(),
  createdAt: timestamp("created_at"),
});

// The outbox: one row per message and endpoint, written in the same transaction as the event.
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    messageId: requiredRef("message_id", () => webhookMessages.id),
    endpointId: requiredRef("endpoint_id", () => webhookEndpoints.id),
    ...status("pending", "succeeded", "failed"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.messageId] }),
    // A dispatcher's pass: its endpoint's pending deliveries by due time, never the delivered history.
    index("webhook_deliveries_endpoint_due").on(t.endpointId, t.status, t.nextAttemptAt),
    // The platform-wide sweep: the endpoints with anything pending, one index step each (only pending rows).
    index("webhook_deliveries_pending_endpoint").on(t.endpointId).where(sql`status = 'pending'`),
  ],
);

// The delivery log: one row per attempt.
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id").notNull(),
    messageId: text("message_id").notNull(),
    attempt: integer("attempt").notNull(),
    // The receiver's HTTP status, or null when no answer came (timeout, refused, URL refused).
    responseStatus: integer("response_status"),
    responseExcerpt: text("response_excerpt").notNull().default(""),
    error: text("error"),
    latencyMs: integer("latency_ms").notNull(),
    // Null: delivered or given up.
    nextAttemptAt: text("next_attempt_at"),
    createdAt: timestamp("created_at"),
  },
  (t) => [index("webhook_attempts_endpoint").on(t.endpointId, t.id)],
);
