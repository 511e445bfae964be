// Webhook endpoints (merchant secret key, scope `webhooks:write`; another merchant's endpoint is a 404): register,
// list, read, change, delete, rotate the secret, read the delivery log, resend a message, replay what failed, send
// a test event. Deliveries follow the Standard Webhooks spec (webhooks/deliver.ts).
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { etagOf } from "#shared/etag.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { modeGuard } from "#shared/modes.ts";
import { accepted, created, jsonBody, noContent, ok, problemResponses } from "#shared/openapi/responses.ts";
import { createResourceRoute, resourceRoutes, route } from "#shared/openapi/routes.ts";
import { idOf, idParam, pageOf, resourceFields } from "#shared/openapi/schemas.ts";
import { newestPage, pageQuery } from "#shared/pagination.ts";
import { livemodeOf, merchantScope, requireMerchant } from "#shared/principal.ts";
import { webhookAttempts, webhookEndpoints } from "#shared/schema.ts";
import { webhookEventTypes } from "#shared/webhook-events.ts";
import { createEndpoint } from "./create-endpoint.ts";
import { EventTypesSchema, ownEndpoint, toEndpoint, WebhookEndpointSchema } from "./endpoint.ts";
import { replayFailed, resendMessage, sendTestEvent } from "./redeliver.ts";
import { deleteEndpoint, rotateSecret, updateEndpoint } from "./update-endpoint.ts";

const scope = "webhooks:write";
const base = "Merchant secret key with `webhooks:write`; another merchant's endpoint is a 404.";

const UrlSchema = z.string().max(2048).openapi({
  example: "https://shop.example.com/webhooks/zhongcao",
  description:
    "https only, and not a private, loopback, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE_URLS=true allows http and loopback for local development).",
});
const ThresholdSchema = z.number().int().min(1).max(1_000_000);

const CreateInput = z
  .object({
    url: UrlSchema,
    eventTypes: EventTypesSchema,
    description: z.string().max(500).optional(),
    ed25519: z.boolean().optional().openapi({ description: "Also sign with an Ed25519 key pair (`v1a`)." }),
    inventoryLowThreshold: ThresholdSchema.optional().openapi({ description: "Default 10." }),
  })
  .strict();

const UpdateInput = z
  .object({
    url: UrlSchema.optional(),
    eventTypes: EventTypesSchema.optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional(),
    ed25519: z
      .boolean()
      .optional()
      .openapi({ description: "true: a key pair (a new one if there was none); false: none." }),
    inventoryLowThreshold: ThresholdSchema.optional(),
  })
  .strict();

const WithSecret = WebhookEndpointSchema.extend({
  secret: z.string().openapi({
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    description:
      "The signing secret, shown this once; verify deliveries with it (e.g. the `standardwebhooks` package).",
  }),
}).openapi("WebhookEndpointWithSecret");

const AttemptSchema = z
  .object({
    ...resourceFields("webhook_attempt"),
    messageId: z.string().openapi({ description: "The `webhook-id` sent." }),
    attempt: z.number().int().openapi({ description: "1 for the first attempt of this message to this endpoint." }),
    responseStatus: z.number().int().nullable().openapi({ description: "null when no answer came." }),
    responseExcerpt: z.string().openapi({ description: "The first 500 characters of the answer's body." }),
    error: z.string().nullable(),
    latencyMs: z.number().int(),
    nextAttemptAt: z.string().nullable().openapi({ description: "null: delivered, or given up." }),
    createdAt: z.string(),
  })
  .openapi("WebhookAttempt");

const ifMatchHeader = z.object({ "if-match": z.string().optional() });
const MessageIdSchema = idOf("msg");
const messageParams = idParam("whep").extend({
  messageId: MessageIdSchema.openapi({ param: { name: "messageId", in: "path" } }),
});

const createRoute_ = createResourceRoute(
  "Register a webhook endpoint",
  CreateInput,
  created(WithSecret, "The endpoint and its secret", 400, 401, 403, 422),
  { description: `${base} Takes \`Idempotency-Key\`. The answer carries the signing secret, shown only this once.` },
);

const { list, retrieve } = resourceRoutes("whep", WebhookEndpointSchema, "The endpoint (ETag)", {
  list: {
    summary: "List your webhook endpoints, newest first",
    description: base,
    query: pageQuery.strict(),
    page: "A page",
  },
  retrieve: { summary: "Retrieve a webhook endpoint", description: base },
});

const updateRoute = route("PATCH /{id}", "Change a webhook endpoint", {
  description: `${base} Enabling one the platform disabled clears its reason and starts delivering again.`,
  request: { params: idParam("whep"), headers: ifMatchHeader, body: jsonBody(UpdateInput) },
  responses: ok(WebhookEndpointSchema, "The endpoint (ETag)", 400, 401, 403, 404, 412),
});

const deleteRoute = route("DELETE /{id}", "Delete a webhook endpoint", {
  description: `${base} Its pending deliveries and its log go with it.`,
  request: { params: idParam("whep") },
  responses: noContent("Deleted", 400, 401, 403, 404),
});

const rotateRoute = route("POST /{id}/rotate-secret", "Rotate the signing secret", {
  description: `${base} Until the overlap ends, deliveries carry both signatures: \`v1,<new> v1,<previous>\`.`,
  request: {
    params: idParam("whep"),
    body: jsonBody(
      z
        .object({
          overlapSeconds: z
            .number()
            .int()
            .min(0)
            .max(7 * 86400)
            .default(86400)
            .openapi({
              description: "How long the previous secret keeps signing (default a day, at most a week).",
            }),
        })
        .strict(),
      false,
    ),
  },
  responses: ok(WithSecret, "The endpoint and its new secret", 400, 401, 403, 404),
});

const attemptsRoute = route("GET /{id}/attempts", "The delivery log: every attempt, newest first", {
  description: base,
  request: { params: idParam("whep"), query: pageQuery.extend({ messageId: MessageIdSchema.optional() }).strict() },
  responses: ok(pageOf(AttemptSchema), "A page", 400, 401, 403, 404),
});

const resendRoute = route("POST /{id}/messages/{messageId}/resend", "Send one message to this endpoint again", {
  description: `${base} A fresh retry schedule, the same \`webhook-id\`.`,
  request: { params: messageParams },
  responses: { 202: { description: "Queued" }, ...problemResponses(400, 401, 403, 404) },
});

const replayRoute = route("POST /{id}/replay", "Send again every message that failed since a time", {
  description: base,
  request: { params: idParam("whep"), body: jsonBody(z.object({ since: z.iso.datetime() }).strict()) },
  responses: accepted(z.object({ replayed: z.number().int() }), "How many were queued", 400, 401, 403, 404),
});

const testRoute = route("POST /{id}/test", "Send a test event to this endpoint", {
  description: `${base} The event's \`data\` is \`{ "test": true, "endpointId": … }\`; 409 when the endpoint is disabled.`,
  request: {
    params: idParam("whep"),
    body: jsonBody(z.object({ eventType: z.enum(webhookEventTypes).default("order.created") }).strict(), false),
  },
  responses: accepted(z.object({ messageId: z.string() }), "The test message's id", 400, 401, 403, 404, 409),
});

export const webhookEndpointRoutes = createRouter<{ Bindings: Env }>();
webhookEndpointRoutes.use("*", merchantScope(scope));
// An endpoint of the other mode (test or live) is as unknown as another merchant's.
const sameMode = modeGuard("SELECT livemode FROM webhook_endpoints WHERE id = ?", "Webhook endpoint");
webhookEndpointRoutes.use("/:id", sameMode);
webhookEndpointRoutes.use("/:id/*", sameMode);

webhookEndpointRoutes.post("/", idempotency({ required: false }));
webhookEndpointRoutes.openapi(createRoute_, async (c) => {
  const { merchantId } = requireMerchant(c, scope);
  const endpoint = await createEndpoint({
    env: c.env,
    db: database(c.env),
    merchantId,
    livemode: livemodeOf(c),
    input: c.req.valid("json"),
  });
  c.header("etag", etagOf(endpoint));
  c.header("location", `/v1/webhook-endpoints/${endpoint.id}`);
  return c.json(endpoint, 201);
});

webhookEndpointRoutes.openapi(list, async (c) => {
  const { merchantId } = requireMerchant(c, scope);
  const query = c.req.valid("query");
  const result = await newestPage(
    database(c.env).select().from(webhookEndpoints).$dynamic(),
    webhookEndpoints.id,
    query,
    eq(webhookEndpoints.merchantId, merchantId),
    eq(webhookEndpoints.livemode, livemodeOf(c)),
  );
  return c.json({ data: result.data.map(toEndpoint), nextCursor: result.nextCursor }, 200);
});

/** The calling merchant (`webhooks:write`) and the endpoint named in the path, as the functions on it take them. */
function callerAndEndpoint(c: Context<{ Bindings: Env }>) {
  const { merchantId } = requireMerchant(c, scope);
  return { env: c.env, db: database(c.env), merchantId, id: c.req.param("id") ?? "" };
}

webhookEndpointRoutes.openapi(retrieve, async (c) => {
  const { db, merchantId, id } = callerAndEndpoint(c);
  const row = await ownEndpoint(db, merchantId, id);
  c.header("etag", etagOf(row));
  return c.json(toEndpoint(row), 200);
});

webhookEndpointRoutes.openapi(updateRoute, async (c) => {
  const ifMatch = c.req.valid("header")["if-match"];
  const endpoint = await updateEndpoint({ ...callerAndEndpoint(c), changes: c.req.valid("json"), ifMatch });
  c.header("etag", etagOf(endpoint));
  return c.json(endpoint, 200);
});

webhookEndpointRoutes.openapi(deleteRoute, async (c) => {
  await deleteEndpoint(callerAndEndpoint(c));
  return c.body(null, 204);
});

webhookEndpointRoutes.openapi(rotateRoute, async (c) => {
  const overlapSeconds = c.req.valid("json")?.overlapSeconds ?? 86400;
  const endpoint = await rotateSecret({ ...callerAndEndpoint(c), overlapSeconds });
  c.header("etag", etagOf(endpoint));
  return c.json(endpoint, 200);
});

webhookEndpointRoutes.openapi(attemptsRoute, async (c) => {
  const { db, merchantId, id } = callerAndEndpoint(c);
  const query = c.req.valid("query");
  await ownEndpoint(db, merchantId, id);
  const result = await newestPage(
    db.select().from(webhookAttempts).$dynamic(),
    webhookAttempts.id,
    query,
    eq(webhookAttempts.endpointId, id),
    query.messageId ? eq(webhookAttempts.messageId, query.messageId) : undefined,
  );
  const data = result.data.map(({ endpointId: _, ...row }) => ({ ...row, object: "webhook_attempt" as const }));
  return c.json({ data, nextCursor: result.nextCursor }, 200);
});

webhookEndpointRoutes.openapi(resendRoute, async (c) => {
  const { db, merchantId, id } = callerAndEndpoint(c);
  await resendMessage({ db, merchantId, endpointId: id, messageId: c.req.valid("param").messageId });
  return c.body(null, 202);
});

webhookEndpointRoutes.openapi(replayRoute, async (c) => {
  const { db, merchantId, id } = callerAndEndpoint(c);
  const since = new Date(c.req.valid("json").since).toISOString();
  const replayed = await replayFailed({ db, merchantId, endpointId: id, since });
  return c.json({ replayed }, 202);
});

webhookEndpointRoutes.openapi(testRoute, async (c) => {
  const { db, merchantId, id } = callerAndEndpoint(c);
  const type = c.req.valid("json")?.eventType ?? "order.created";
  const messageId = await sendTestEvent({ db, merchantId, endpointId: id, type });
  return c.json({ messageId }, 202);
});
