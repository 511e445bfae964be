// Creators: the operator onboards them, each with a first creator key (ck_test_…, shown once), which the creator
// exchanges for tokens at POST /v1/creator-sessions.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { newId } from "#shared/ids.ts";
import { created, jsonBody, route } from "#shared/openapi.ts";
import { apiKeys, creators } from "#shared/schema.ts";
import { ApiKeyWithSecretSchema, mintKey, revealed } from "../api-keys/keys.ts";
import { operatorOnly } from "../pipeline/callers.ts";
import { handleSchema, withUniqueHandle } from "../schemas.ts";

export const CreatorSchema = z
  .object({
    id: z.string().openapi({ example: "cre_01JDEMO0000000000000000000" }),
    object: z.literal("creator"),
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
    name: z.string().trim().min(1).max(100),
    handle: handleSchema,
    bio: z.string().max(500).default(""),
    avatarUrl: z.url().max(500).optional(),
  })
  .strict()
  .openapi("CreatorCreate");

const createCreatorRoute = route("POST /", "Onboard a creator (operator)", {
  description: "Creates the creator with a first creator key (ck_test_…), in this response only.",
  request: { body: jsonBody(CreatorCreateSchema) },
  responses: created(
    CreatorSchema.extend({ creatorKey: ApiKeyWithSecretSchema }),
    "The creator and its key",
    400,
    401,
    409,
  ),
});

export const creatorRoutes = createRouter<{ Bindings: Env }>();

creatorRoutes.openapi(createCreatorRoute, async (c) => {
  operatorOnly(c);
  const input = c.req.valid("json");
  const db = database(c.env);
  const id = newId("cre");
  const key = await mintKey({ kind: "creator", mode: "test", creatorId: id });
  const [inserted] = await withUniqueHandle(input.handle, () =>
    db.batch([
      db
        .insert(creators)
        .values({ id, name: input.name, handle: input.handle, bio: input.bio, avatarUrl: input.avatarUrl ?? null })
        .returning(),
      db.insert(apiKeys).values(key.row),
    ]),
  );
  const row = inserted[0];
  if (!row) throw new Error("the creator insert returned no row");
  return c.json({ ...toCreator(row), creatorKey: revealed(key) }, 201);
});
