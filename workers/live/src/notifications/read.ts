// readNotification and readAllNotifications: a person marks one notification, or everything unread, as read.
// Reading again keeps the first read time.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { notifications } from "#shared/schema.ts";
import { type Notification, toNotification } from "./notification.ts";

export async function readNotification(
  db: Database,
  personId: string,
  id: string,
  now = new Date(),
): Promise<Notification> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`COALESCE(${notifications.readAt}, ${now.toISOString()})` })
    .where(and(eq(notifications.id, id), eq(notifications.personId, personId)))
    .returning();
  if (!row) throw new ProblemError("not_found", `Notification ${id} does not exist.`);
  return toNotification(row);
}

export async function readAllNotifications(db: Database, personId: string, now = new Date()): Promise<number> {
  const result = await db
    .update(notifications)
    .set({ readAt: now.toISOString() })
    .where(and(eq(notifications.personId, personId), isNull(notifications.readAt)));
  return result.rowsAffected;
}
