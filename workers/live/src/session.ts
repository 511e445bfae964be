// The API shape of a live session, declared once.
import { z } from "@hono/zod-openapi";
import type { liveSessions } from "../../../shared/schema.ts";

export const LiveSessionSchema = z
  .object({
    id: z.string(),
    object: z.literal("live_session"),
    host: z.object({ type: z.enum(["creator", "merchant"]), id: z.string() }),
    title: z.string(),
    coverUrl: z.string().nullable(),
    status: z.enum(["scheduled", "live", "ended"]),
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
