// listNotifications: a person's inbox, newest first, a page of it and the number still unread, in one batch.
import { and, count, desc, eq, isNull, lt } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { decodeCursor, type PageRequest, page } from "#shared/pagination.ts";
import { notifications } from "#shared/schema.ts";
import { toNotification } from "./notification.ts";

export async function listNotifications({
  db,
  personId,
  limit,
  cursor,
  unreadOnly,
}: { db: Database; personId: string; unreadOnly: boolean } & PageRequest) {
  const after = decodeCursor(cursor);
  const [rows, unread] = await db.batch([
    db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.personId, personId),
          after === undefined ? undefined : lt(notifications.id, after),
          unreadOnly ? isNull(notifications.readAt) : undefined,
        ),
      )
      .orderBy(desc(notifications.id))
      .limit(limit + 1),
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.personId, personId), isNull(notifications.readAt))),
  ]);
  return { ...page(rows.map(toNotification), limit), unreadCount: unread[0]?.n ?? 0 };
}
