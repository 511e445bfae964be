// A person's reminder for a session's start: set while it is scheduled (409 once live or over), removed any time.
// Both are idempotent.
import { and, eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { liveSessionReminders } from "#shared/schema.ts";
import { refuseOver, sessionMeta } from "./meta.ts";

export async function setReminder(env: Env, id: string, personId: string): Promise<void> {
  const meta = await sessionMeta(env, id);
  refuseOver(meta);
  // A reminder is for the start; once on air there is nothing left to remind of.
  if (meta.status === "live") throw new ProblemError("conflict", `Live session ${id} is already live: join it.`);
  await database(env).insert(liveSessionReminders).values({ sessionId: id, personId }).onConflictDoNothing();
}

export async function cancelReminder(env: Env, id: string, personId: string): Promise<void> {
  await sessionMeta(env, id);
  await database(env)
    .delete(liveSessionReminders)
    .where(and(eq(liveSessionReminders.sessionId, id), eq(liveSessionReminders.personId, personId)));
}
