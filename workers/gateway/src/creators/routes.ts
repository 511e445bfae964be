// Creators: the operator onboards them, each with a first creator key (ck_test_…, shown once), which the creator
// exchanges for tokens at POST /v1/creator-sessions. A creator keeps a showcase (showcase.ts), public to storefronts.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, noContent, ok } from "#shared/openapi/responses.ts";
import { createResourceRoute, route } from "#shared/openapi/routes.ts";
import { idParam, idPathParam, pageOf, requiredText, resourceFields } from "#shared/openapi/schemas.ts";
import { decodeCursor, encodeCursor, pageQuery } from "#shared/pagination.ts";
import { checkFirst, requireCreator, requireOperator } from "#shared/principal.ts";
import { creators } from "#shared/schema.ts";
import { ApiKeyWithSecretSchema, mintKey, revealed } from "../api-keys/keys.ts";
import { handleSchema, insertWithKeys } from "../schemas.ts";
import { addToShowcase, readShowcase, removeFromShowcase, ShowcaseItemSchema } from "./showcase.ts";

export const CreatorSchema = z
  .object({
    ...resourceFields("creator", "cre"),
    name: z.string(),
    handle: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    followerCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Creator");

export const toCreator = (row: typeof creators.$inferSelect): z.infer<typeof CreatorSchema> => ({
  id: row.id,
  object: "creator",
  name: row.name,
  handle: row.handle,
  bio: row.bio,
  avatarUrl: row.avatarUrl,
  followerCount: row.followerCount,
  createdAt: row.createdAt,
});

const CreatorCreateSchema = z
  .object({
    name: requiredText(100),
    handle: handleSchema,
    bio: z.string().max(500).default(""),
    avatarUrl: z.url().max(500).optional(),
  })
  .strict()
  .openapi("CreatorCreate");

const createCreatorRoute = createResourceRoute(
  "Onboard a creator (operator)",
  CreatorCreateSchema,
  created(CreatorSchema.extend({ creatorKey: ApiKeyWithSecretSchema }), "The creator and its key", 400, 401, 409),
  {
    caller: checkFirst(requireOperator),
    description: "Creates the creator with a first creator key (ck_test_…), in this response only.",
  },
);

export const creatorRoutes = createRouter<{ Bindings: Env }>();

creatorRoutes.openapi(createCreatorRoute, async (c) => {
  const input = c.req.valid("json");
  const db = database(c.env);
  const id = newId("cre");
  const key = await mintKey({ kind: "creator", mode: "test", creatorId: id });
  const row = await insertWithKeys(
    db,
    input.handle,
    db
      .insert(creators)
      .values({ id, name: input.name, handle: input.handle, bio: input.bio, avatarUrl: input.avatarUrl ?? null })
      .returning(),
    [key.row],
  );
  return c.json({ ...toCreator(row), creatorKey: revealed(key) }, 201);
});

const productParam = z.object({ productId: idPathParam("prod", "productId") });

const putShowcaseRoute = route("PUT /me/showcase/{productId}", "Add a product to your showcase", {
  caller: checkFirst(requireCreator),
  description:
    "A creator (its session). Only a product under an affiliate plan open to the creator (an open plan, or a targeted plan it accepted) that is on sale; else 409 `conflict` (404 for a product not on sale). Adding it again changes nothing.",
  request: { params: productParam },
  responses: ok(ShowcaseItemSchema, "The showcase item", 400, 401, 404, 409),
});

const deleteShowcaseRoute = route("DELETE /me/showcase/{productId}", "Remove a product from your showcase", {
  caller: checkFirst(requireCreator),
  description: "A creator (its session). Removing a product not in the showcase is a 204 too.",
  request: { params: productParam },
  responses: noContent("Not in the showcase", 400, 401),
});

const getShowcaseRoute = route("GET /{id}/showcase", "A creator's showcase", {
  description:
    "Public, for storefronts: the products the creator keeps that are on sale and still under a plan open to it, newest product first, each with the `attribution` reference that credits the creator when passed with the cart line.",
  request: { params: idParam("cre"), query: pageQuery.strict() },
  responses: ok(pageOf(ShowcaseItemSchema).openapi("ShowcaseItemList"), "A page of the showcase", 400, 404),
});

creatorRoutes.openapi(putShowcaseRoute, async (c) => {
  const item = await addToShowcase(database(c.env), requireCreator(c), c.req.valid("param").productId);
  return c.json(item, 200);
});

creatorRoutes.openapi(deleteShowcaseRoute, async (c) => {
  await removeFromShowcase(database(c.env), requireCreator(c), c.req.valid("param").productId);
  return c.body(null, 204);
});

creatorRoutes.openapi(getShowcaseRoute, async (c) => {
  const query = c.req.valid("query");
  const items = await readShowcase(database(c.env), c.req.valid("param").id, {
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  const data = items.slice(0, query.limit);
  const last = data.at(-1);
  c.header("cache-control", "no-cache");
  return c.json({ data, nextCursor: items.length > query.limit && last ? encodeCursor(last.productId) : null }, 200);
});
