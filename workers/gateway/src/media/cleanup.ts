// Uploads that nothing named within a day are removed: their rows first, in one statement that re-checks they are
// still unattached (an attach racing it either lands first and keeps the upload, or finds no row and is refused),
// then their bytes. Run by the gateway's once-a-minute cron, a bounded batch each time.
import { and, inArray, isNull, lt } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { media } from "#shared/schema.ts";
import { removeVariants } from "./store.ts";

export const UNATTACHED_TTL_MS = 24 * 3_600_000;
const BATCH = 100;

/** Removes up to one batch of uploads older than a day that are still unattached; returns how many. */
export async function removeUnattached(env: Env, now = Date.now()): Promise<number> {
  const db = database(env);
  const stale = and(isNull(media.attachedAt), lt(media.createdAt, new Date(now - UNATTACHED_TTL_MS).toISOString()));
  const removed = await db
    .delete(media)
    .where(and(stale, inArray(media.id, db.select({ id: media.id }).from(media).where(stale).limit(BATCH))))
    .returning({ id: media.id });
  if (removed.length > 0)
    await removeVariants(
      env,
      removed.map((r) => r.id),
    );
  return removed.length;
}
