// updateSession: the host edits a scheduled session's title, cover, start time or shelf. The version check and the
// write are one transaction with a conditional UPDATE, so two editors holding the same ETag cannot both win; once
// live, ended or cancelled a session is no longer edited (409).
import type { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { checkIfMatch, etagOf } from "#shared/etag.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { liveSessionProducts, liveSessions } from "#shared/schema.ts";
import { checkShelf, type SessionHost } from "./schedule.ts";
import type { LiveSessionUpdateSchema } from "./session.ts";

export async function updateSession({
  db,
  host,
  id,
  ifMatch,
  patch,
}: {
  db: Database;
  host: SessionHost;
  id: string;
  /** The client's If-Match header; undefined when it sent none. */
  ifMatch: string | undefined;
  patch: z.infer<typeof LiveSessionUpdateSchema>;
}) {
  const shelf = patch.productIds === undefined ? undefined : await checkShelf(db, host, patch.productIds);
  return db.transaction(async (tx) => {
    const hostedBy =
      host.type === "creator"
        ? eq(liveSessions.creatorId, host.creatorId)
        : eq(liveSessions.merchantId, host.merchantId);
    const [current] = await tx
      .select()
      .from(liveSessions)
      .where(and(eq(liveSessions.id, id), hostedBy));
    if (!current) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
    checkIfMatch(ifMatch, etagOf(current));
    if (current.status !== "scheduled") {
      throw new ProblemError(
        "conflict",
        `Live session ${id} is ${current.status}; only a scheduled one can be edited.`,
      );
    }
    const [updated] = await tx
      .update(liveSessions)
      .set({
        ...(patch.title !== undefined ? { title: patch.title, searchPinyin: searchPinyin(patch.title) } : {}),
        ...(patch.coverUrl !== undefined ? { coverUrl: patch.coverUrl } : {}),
        ...(patch.scheduledStartAt !== undefined
          ? { scheduledStartAt: new Date(patch.scheduledStartAt).toISOString() }
          : {}),
        version: sql`${liveSessions.version} + 1`,
      })
      .where(and(eq(liveSessions.id, id), eq(liveSessions.version, current.version)))
      .returning();
    if (!updated) {
      throw new ProblemError("precondition_failed", `Live session ${id} changed meanwhile; read it again and retry.`);
    }
    if (shelf !== undefined) {
      await tx.delete(liveSessionProducts).where(eq(liveSessionProducts.sessionId, id));
      if (shelf.length > 0) await tx.insert(liveSessionProducts).values(shelf.map((s) => ({ sessionId: id, ...s })));
    }
    return updated;
  });
}
