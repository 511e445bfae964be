// Merchants: the operator onboards them (each with a first secret key, every scope, and a publishable key, both
// shown once); a merchant reads itself with any secret key. Another merchant's id is a 404. Onboarding gives test-mode
// keys; the operator opens live mode with a merchant's first live keys (a test key never makes a live one).
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { createResourceRoute, retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idParam, requiredText, resourceFields, setOf } from "#shared/openapi/schemas.ts";
import { checkFirst, requireOperator, scopes } from "#shared/principal.ts";
import { apiKeys, merchants } from "#shared/schema.ts";
import { ApiKeyWithSecretSchema, mintKey, revealed } from "../api-keys/keys.ts";
import { merchantKey, operatorOrMerchant } from "../pipeline/callers.ts";
import { handleSchema, insertWithKeys, OriginSchema } from "../schemas.ts";

export const MerchantSchema = z
  .object({
    ...resourceFields("merchant", "mer"),
    name: z.string(),
    handle: z.string(),
    status: z.enum(["active", "suspended"]),
    allowsPromotion: z.boolean(),
    commissionRateBps: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Merchant");

const MerchantCreateSchema = z
  .object({
    name: requiredText(100),
    handle: handleSchema,
    commissionRateBps: z.number().int().min(0).max(10_000).default(1000),
    allowsPromotion: z.boolean().default(true),
    allowedOrigins: setOf(OriginSchema)
      .max(20)
      .default([])
      .openapi({ description: "Origins the first publishable key may be used from (browsers send Origin)." }),
  })
  .strict()
  .openapi("MerchantCreate");

const OnboardedMerchantSchema = MerchantSchema.extend({
  secretKey: ApiKeyWithSecretSchema,
  publishableKey: ApiKeyWithSecretSchema,
}).openapi("OnboardedMerchant");

const createMerchantRoute = createResourceRoute(
  "Onboard a merchant (operator)",
  MerchantCreateSchema,
  created(OnboardedMerchantSchema, "The merchant and its first keys", 400, 401, 409),
  {
    caller: checkFirst(requireOperator),
    description:
      "Creates the merchant with a first secret key (every scope) and a publishable key. The keys are in this response only; the platform keeps their SHA-256.",
  },
);

const getOwnMerchantRoute = route("GET /me", "Retrieve the merchant the calling secret key belongs to", {
  description: "Any secret key of the merchant: the console and other tools learn whose key they hold.",
  responses: ok(MerchantSchema, "The merchant", 401),
});

const getMerchantRoute = retrieveRoute(
  "mer",
  "Retrieve a merchant (operator, or the merchant itself)",
  ok(MerchantSchema, "The merchant", 400, 401, 404),
  { caller: checkFirst(operatorOrMerchant) },
);

const LiveKeysCreateSchema = z
  .object({
    allowedOrigins: setOf(OriginSchema)
      .max(20)
      .default([])
      .openapi({ description: "Origins the live publishable key may be used from (browsers send Origin)." }),
  })
  .strict()
  .openapi("LiveKeysCreate");

const LiveKeysSchema = z
  .object({ secretKey: ApiKeyWithSecretSchema, publishableKey: ApiKeyWithSecretSchema })
  .openapi("LiveKeys");

const createLiveKeysRoute = route(
  "POST /{id}/live-keys",
  "Open live mode for a merchant: its first live keys (operator)",
  {
    description:
      "A live secret key (every scope) and a live publishable key, shown in this response only. Test and live are two worlds: live keys see and make only live carts, orders, payments, webhook endpoints and figures. Later live keys are made with a live key (`POST /v1/api-keys`).",
    request: { params: idParam("mer"), body: jsonBody(LiveKeysCreateSchema, false) },
    responses: created(LiveKeysSchema, "The live keys", 400, 401, 404),
    caller: checkFirst(requireOperator),
  },
);

type MerchantRow = typeof merchants.$inferSelect;
const toMerchant = (row: MerchantRow): z.infer<typeof MerchantSchema> => ({
  id: row.id,
  object: "merchant",
  name: row.name,
  handle: row.handle,
  status: row.status,
  allowsPromotion: row.allowsPromotion,
  commissionRateBps: row.commissionRateBps,
  createdAt: row.createdAt,
});

/** A merchant's pair of keys in one mode: a secret key with every scope, and a publishable key for `allowedOrigins`. */
async function mintKeyPair(merchantId: string, mode: "test" | "live", allowedOrigins: string[]) {
  const secret = await mintKey({ kind: "secret", mode, merchantId, scopes: [...scopes] });
  const publishable = await mintKey({ kind: "publishable", mode, merchantId, allowedOrigins });
  return { secret, publishable };
}

export const merchantRoutes = createRouter<{ Bindings: Env }>();

merchantRoutes.openapi(createMerchantRoute, async (c) => {
  const input = c.req.valid("json");
  const db = database(c.env);
  const id = newId("mer");
  const { secret, publishable } = await mintKeyPair(id, "test", input.allowedOrigins);
  const row = await insertWithKeys(
    db,
    input.handle,
    db
      .insert(merchants)
      .values({
        id,
        name: input.name,
        handle: input.handle,
        commissionRateBps: input.commissionRateBps,
        allowsPromotion: input.allowsPromotion,
      })
      .returning(),
    [secret.row, publishable.row],
  );
  c.header("location", `/v1/merchants/${id}`);
  return c.json(
    {
      ...toMerchant(row),
      secretKey: revealed(secret),
      publishableKey: revealed(publishable),
    },
    201,
  );
});

merchantRoutes.openapi(getOwnMerchantRoute, async (c) => {
  const { merchantId } = merchantKey(c);
  const [row] = await database(c.env).select().from(merchants).where(eq(merchants.id, merchantId));
  if (!row) throw new ProblemError("not_found", `No merchant ${merchantId}.`);
  return c.json(toMerchant(row), 200);
});

merchantRoutes.openapi(getMerchantRoute, async (c) => {
  const caller = operatorOrMerchant(c);
  const { id } = c.req.valid("param");
  const notFound = new ProblemError("not_found", `No merchant ${id}.`);
  if (caller && caller.merchantId !== id) throw notFound;
  const [row] = await database(c.env).select().from(merchants).where(eq(merchants.id, id));
  if (!row) throw notFound;
  return c.json(toMerchant(row), 200);
});

merchantRoutes.openapi(createLiveKeysRoute, async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json") ?? { allowedOrigins: [] };
  const db = database(c.env);
  const [row] = await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, id));
  if (!row) throw new ProblemError("not_found", `No merchant ${id}.`);
  const { secret, publishable } = await mintKeyPair(id, "live", input.allowedOrigins);
  await db.insert(apiKeys).values([secret.row, publishable.row]);
  return c.json({ secretKey: revealed(secret), publishableKey: revealed(publishable) }, 201);
});
