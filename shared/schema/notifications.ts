// Notifications: the in-app inbox, the one way the platform tells a person something (shared/notifications.ts).
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns.ts";

// One row per (person, kind, subject): a retried delivery never notifies twice. `read_at` is null while unread.
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    personId: text("person_id").notNull(),
    kind: text("kind").notNull(),
    subjectId: text("subject_id").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    link: text("link"),
    createdAt: timestamp("created_at"),
    readAt: text("read_at"),
  },
  (t) => [
    uniqueIndex("notifications_once").on(t.personId, t.kind, t.subjectId),
    index("notifications_person").on(t.personId, t.id),
    index("notifications_unread").on(t.personId, t.readAt),
  ],
);
