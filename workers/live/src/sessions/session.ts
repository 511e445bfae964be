// The API shape of a live session, declared once.
import { z } from "@hono/zod-openapi";
import { ImageRefSchema } from "#shared/media.ts";
import { MoneySchema, requiredText, resourceFields, setOf } from "#shared/openapi/schemas.ts";
import type { liveSessions } from "#shared/schema.ts";

export const LiveSessionSchema = z
  .object({
    ...resourceFields("live_session"),
    host: z.object({ type: z.enum(["creator", "merchant"]), id: z.string() }),
    title: z.string(),
    coverUrl: z.string().nullable(),
    status: z.enum(["scheduled", "live", "ended", "cancelled"]),
    scheduledStartAt: z.string(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    productIds: z.array(z.string()),
    viewerCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("LiveSession");

export type LiveSession = z.infer<typeof LiveSessionSchema>;

export function toLiveSession(
  row: typeof liveSessions.$inferSelect,
  productIds: string[],
  viewerCount: number,
): LiveSession {
  return {
    id: row.id,
    object: "live_session",
    host: { type: row.hostType, id: (row.hostType === "creator" ? row.creatorId : row.merchantId) ?? "" },
    title: row.title,
    coverUrl: row.coverUrl,
    status: row.status,
    scheduledStartAt: row.scheduledStartAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    productIds,
    viewerCount,
    createdAt: row.createdAt,
  };
}

const personIdPattern = /^(shp|cre)_[0-9A-Za-z]{1,64}$/;

const sessionFields = {
  title: requiredText(100).openapi({ example: "双11护肤专场 Double 11 skincare live" }),
  coverUrl: ImageRefSchema,
  scheduledStartAt: z.iso.datetime({ offset: true }).openapi({ example: "2026-11-11T12:00:00.000Z" }),
  productIds: setOf(z.string().regex(/^prod_[0-9A-Za-z]{1,64}$/, "must be a product id"))
    .max(50)
    .openapi({ description: "The shelf, in order. A creator may shelve only products that allow promotion." }),
};

export const LiveSessionUpdateSchema = z
  .strictObject({
    title: sessionFields.title.optional(),
    coverUrl: sessionFields.coverUrl.nullable().optional().openapi({ description: "null removes the cover." }),
    scheduledStartAt: sessionFields.scheduledStartAt.optional(),
    productIds: sessionFields.productIds.optional().openapi({ description: "Replaces the whole shelf, in order." }),
  })
  .openapi("LiveSessionUpdate");

export const LiveSessionCreateSchema = z
  .strictObject({
    title: sessionFields.title,
    coverUrl: sessionFields.coverUrl.optional(),
    scheduledStartAt: sessionFields.scheduledStartAt,
    productIds: sessionFields.productIds.default([]),
    moderatorIds: setOf(z.string().regex(personIdPattern, "must be a shopper or creator id"))
      .max(20)
      .default([])
      .openapi({ description: "Shoppers or creators who may delete comments, mute and ban in the room." }),
    keywordFilter: setOf(requiredText(40))
      .max(100)
      .default([])
      .openapi({ description: "Comments and questions containing any of these words are refused." }),
  })
  .openapi("LiveSessionCreate");

export const StreamTokenRequestSchema = z
  .strictObject({
    role: z
      .enum(["viewer", "host", "moderator"])
      .optional()
      .openapi({ description: "Defaults to the most the caller may have: host, then moderator, then viewer." }),
    name: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .optional()
      .openapi({ description: "The viewer's display name in the room (the host's is the creator's or store's name)." }),
  })
  .openapi("StreamTokenRequest");

export const StreamTokenSchema = z
  .object({
    object: z.literal("live_stream_token"),
    token: z.string().openapi({ description: "LiveKit access token (JWT HS256) for the video server at sfuUrl." }),
    sfuUrl: z.string(),
    roomToken: z.string().openapi({ description: "Admits the holder to the room socket at roomUrl (?token=…)." }),
    roomUrl: z.string(),
    identity: z.string(),
    role: z.enum(["viewer", "host", "moderator"]),
    expiresAt: z.string(),
  })
  .openapi("StreamToken");

export const ReplaySchema = z
  .object({
    object: z.literal("live_replay"),
    sessionId: z.string(),
    recordingUrl: z.string().nullable(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    durationSeconds: z.number().nullable(),
    segments: z.array(
      z.object({
        productId: z.string(),
        start: z.number().openapi({ description: "Seconds from the stream's start." }),
        end: z.number(),
        flashSaleId: z.string().nullable(),
      }),
    ),
    events: z.array(
      z.object({
        offset: z.number().openapi({ description: "Seconds from the stream's start." }),
        type: z.string(),
        productId: z.string().nullable(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
    totals: z.object({
      peakViewers: z.number().int(),
      uniqueViewers: z.number().int(),
      likes: z.number().int(),
      comments: z.number().int(),
      questions: z.number().int(),
      gmv: z.array(MoneySchema).openapi({
        description:
          "Now: the attributed lines of the session's paid, fulfilled or delivered orders, one entry per currency (never converted); orders paid after the stream count.",
      }),
      gmvAtEnd: z
        .array(MoneySchema)
        .nullable()
        .openapi({ description: "The same figure as it stood when the session ended." }),
    }),
  })
  .openapi("LiveReplay");
