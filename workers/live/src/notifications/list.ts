// listNotifications: a person's inbox, newest first, a page of it and the number still unread, in one batch.
import { and, count, eq, isNull } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { newestQuery, type PageRequest, page } from "#shared/pagination.ts";
import { notifications } from "#shared/schema.ts";
import { toNotification } from "./notification.ts";

export async function listNotifications({
  db,
  personId,
  limit,
  cursor,
  unreadOnly,
}: { db: Database; personId: string; unreadOnly: boolean } & PageRequest) {
  const [rows, unread] = await db.batch([
    newestQuery(
      db.select().from(notifications).$dynamic(),
      notifications.id,
      { limit, cursor },
      eq(notifications.personId, personId),
      unreadOnly ? isNull(notifications.readAt) : undefined,
    ),
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.personId, personId), isNull(notifications.readAt))),
  ]);
  return { ...page(rows.map(toNotification), limit), unreadCount: unread[0]?.n ?? 0 };
}
