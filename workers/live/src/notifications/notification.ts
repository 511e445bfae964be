// The API shape of a notification in a person's inbox (shared/notifications.ts writes them), declared once.
import { z } from "@hono/zod-openapi";
import { notificationKinds } from "#shared/notifications.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import type { notifications } from "#shared/schema.ts";

export const NotificationSchema = z
  .object({
    ...resourceFields("notification"),
    kind: z.enum(notificationKinds),
    subjectId: z
      .string()
      .openapi({ description: "What it is about: a live session (`live_…`), a flash sale (`fs_…`)." }),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable().openapi({ description: "The subject's API path, for the storefront to open." }),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi("Notification");

export type Notification = z.infer<typeof NotificationSchema>;

export function toNotification(row: typeof notifications.$inferSelect): Notification {
  return {
    id: row.id,
    object: "notification",
    // Kinds only grow (shared/notifications.ts); a row is always one of them.
    kind: row.kind as Notification["kind"],
    subjectId: row.subjectId,
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.createdAt,
    readAt: row.readAt,
  };
}
