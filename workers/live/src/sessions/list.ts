// listSessions: for the feed and storefronts. Live sessions first, then scheduled ones by start time, then ended
// ones, then cancelled ones; `status=ended` alone lists the newest first. Keyset pagination over (rank, scheduled start, id).
import { and, asc, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { decodeJsonCursor, encodeJsonCursor } from "#shared/pagination.ts";
import { liveSessionProducts, liveSessions } from "#shared/schema.ts";

type Status = "scheduled" | "live" | "ended" | "cancelled";
const rankOf = sql<number>`CASE ${liveSessions.status} WHEN 'live' THEN 0 WHEN 'scheduled' THEN 1 WHEN 'ended' THEN 2 ELSE 3 END`;
const ranks: Record<Status, number> = { live: 0, scheduled: 1, ended: 2, cancelled: 3 };

interface Cursor {
  r: number;
  s: string;
  id: string;
}

function decode(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  return decodeJsonCursor(cursor, ({ r, s, id }) =>
    typeof r === "number" && typeof s === "string" && typeof id === "string" ? { r, s, id } : undefined,
  );
}

export async function listSessions({
  db,
  statuses,
  hostId,
  limit,
  cursor,
}: {
  db: Database;
  statuses: Status[];
  hostId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}) {
  const after = decode(cursor);
  const newestFirst = statuses.length === 1 && statuses[0] === "ended";
  let keyset: SQL | undefined;
  if (after) {
    const cmp = newestFirst
      ? or(
          sql`${liveSessions.scheduledStartAt} < ${after.s}`,
          and(eq(liveSessions.scheduledStartAt, after.s), sql`${liveSessions.id} < ${after.id}`),
        )
      : or(
          sql`${rankOf} > ${after.r}`,
          and(
            sql`${rankOf} = ${after.r}`,
            or(
              sql`${liveSessions.scheduledStartAt} > ${after.s}`,
              and(eq(liveSessions.scheduledStartAt, after.s), sql`${liveSessions.id} > ${after.id}`),
            ),
          ),
        );
    keyset = cmp;
  }
  const hostFilter = hostId
    ? hostId.startsWith("mer_")
      ? eq(liveSessions.merchantId, hostId)
      : eq(liveSessions.creatorId, hostId)
    : undefined;
  const rows = await db
    .select()
    .from(liveSessions)
    .where(and(inArray(liveSessions.status, statuses), hostFilter, keyset))
    .orderBy(
      ...(newestFirst
        ? [desc(liveSessions.scheduledStartAt), desc(liveSessions.id)]
        : [asc(rankOf), asc(liveSessions.scheduledStartAt), asc(liveSessions.id)]),
    )
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const shelf = page.length
    ? await db
        .select({ sessionId: liveSessionProducts.sessionId, productId: liveSessionProducts.productId })
        .from(liveSessionProducts)
        .where(
          inArray(
            liveSessionProducts.sessionId,
            page.map((r) => r.id),
          ),
        )
        .orderBy(asc(liveSessionProducts.position))
    : [];
  return {
    rows: page,
    shelf,
    nextCursor:
      rows.length > limit && last
        ? encodeJsonCursor({ r: ranks[last.status], s: last.scheduledStartAt, id: last.id } satisfies Cursor)
        : null,
  };
}
