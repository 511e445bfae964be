// The feed: `following` (notes by the creators I follow, newest first) and `discover` (every published note, ranked
// by (likes + 2·saves + 3·comments + 1) / (ageHours + 2)^1.5, ordered by its square since SQLite has no pow()). The
// first page leads with sessions on air (and, when following, upcoming ones). The cursor keeps the first page's
// clock (`asOf`), so later pages rank with the same ages and neither repeat nor skip a note as time moves.
// Design: docs/design/feed.md
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import { newestPage, type PageRequest } from "#shared/pagination.ts";
import { creators, follows, liveSessions, merchants, notes } from "#shared/schema.ts";
import { type NoteSummary, toSummaries } from "../notes/note.ts";

export const LiveCardSchema = z
  .object({
    ...resourceFields("live_session"),
    badge: z.enum(["live", "upcoming"]),
    title: z.string(),
    coverUrl: z.string().nullable(),
    host: z.object({ type: z.enum(["creator", "merchant"]), id: z.string(), name: z.string().nullable() }),
    scheduledStartAt: z.string(),
    startedAt: z.string().nullable(),
  })
  .openapi("LiveCard");
export type LiveCard = z.infer<typeof LiveCardSchema>;

export interface Feed {
  live: LiveCard[];
  data: NoteSummary[];
  nextCursor: string | null;
}

const LIVE_CARDS = 10;

interface RankCursor {
  asOf: string;
  key: number;
  id: string;
}

function encodeRankCursor(c: RankCursor): string {
  return btoa(JSON.stringify({ a: c.asOf, k: c.key, i: c.id }))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

function decodeRankCursor(cursor: string): RankCursor {
  try {
    const json: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (json && typeof json === "object" && "a" in json && "k" in json && "i" in json) {
      const { a, k, i } = json;
      if (typeof a === "string" && !Number.isNaN(Date.parse(a)) && typeof k === "number" && typeof i === "string") {
        return { asOf: a, key: k, id: i };
      }
    }
  } catch {
    // fall through
  }
  throw new ProblemError("validation_failed", "The cursor is not one this API returned.", {
    errors: [{ path: "/cursor", message: "unknown cursor" }],
  });
}

function topicCondition(topic: string | undefined): SQL | undefined {
  return topic === undefined
    ? undefined
    : sql`EXISTS (SELECT 1 FROM json_each(${notes.topics}) WHERE lower(json_each.value) = lower(${topic}))`;
}

export async function liveCards(db: Database, followerId: string | null): Promise<LiveCard[]> {
  const followed = followerId
    ? sql`(${liveSessions.creatorId} IN (SELECT followee_id FROM follows WHERE follower_id = ${followerId}) OR ${liveSessions.merchantId} IN (SELECT followee_id FROM follows WHERE follower_id = ${followerId}))`
    : undefined;
  const rows = await db
    .select({ session: liveSessions, creatorName: creators.name, merchantName: merchants.name })
    .from(liveSessions)
    .leftJoin(creators, eq(creators.id, liveSessions.creatorId))
    .leftJoin(merchants, eq(merchants.id, liveSessions.merchantId))
    .where(
      and(
        followed
          ? or(
              eq(liveSessions.status, "live"),
              and(eq(liveSessions.status, "scheduled"), gte(liveSessions.scheduledStartAt, new Date().toISOString())),
            )
          : eq(liveSessions.status, "live"),
        followed,
      ),
    )
    // On air first, the latest started first; then what is coming, the soonest first.
    .orderBy(
      sql`${liveSessions.status} = 'live' DESC`,
      desc(liveSessions.startedAt),
      asc(liveSessions.scheduledStartAt),
      desc(liveSessions.id),
    )
    .limit(LIVE_CARDS);
  return rows.map(({ session: s, creatorName, merchantName }) => ({
    id: s.id,
    object: "live_session",
    badge: s.status === "live" ? "live" : "upcoming",
    title: s.title,
    coverUrl: s.coverUrl,
    host:
      s.hostType === "creator"
        ? { type: "creator", id: s.creatorId ?? "", name: creatorName }
        : { type: "merchant", id: s.merchantId ?? "", name: merchantName },
    scheduledStartAt: s.scheduledStartAt,
    startedAt: s.startedAt,
  }));
}

export async function followingFeed({
  db,
  followerId,
  limit,
  cursor,
  topic,
}: { db: Database; followerId: string; topic: string | undefined } & PageRequest): Promise<Feed> {
  const [result, live] = await Promise.all([
    newestPage(
      db.select().from(notes).$dynamic(),
      notes.id,
      { limit, cursor },
      eq(notes.status, "published"),
      inArray(
        notes.creatorId,
        db.select({ id: follows.followeeId }).from(follows).where(eq(follows.followerId, followerId)),
      ),
      topicCondition(topic),
    ),
    cursor === undefined ? liveCards(db, followerId) : [],
  ]);
  return { live, data: await toSummaries(db, result.data), nextCursor: result.nextCursor };
}

export async function discoverFeed({
  db,
  limit,
  cursor,
  topic,
  live: liveRead,
  now = new Date(),
}: PageRequest & {
  db: Database;
  topic: string | undefined;
  /** The first page's live cards when the caller already started reading them. */
  live?: Promise<LiveCard[]>;
  now?: Date;
}): Promise<Feed> {
  const after = cursor === undefined ? undefined : decodeRankCursor(cursor);
  const asOf = after?.asOf ?? now.toISOString();
  const engagement = sql`(${notes.likeCount} + 2.0 * ${notes.saveCount} + 3.0 * ${notes.commentCount} + 1.0)`;
  const ageHours = sql`max((julianday(${asOf}) - julianday(${notes.createdAt})) * 24.0, 0.0)`;
  const candidates = db
    .select({ id: notes.id, e: sql<number>`${engagement}`.as("e"), a: sql<number>`${ageHours} + 2.0`.as("a") })
    .from(notes)
    .where(and(eq(notes.status, "published"), sql`${notes.createdAt} <= ${asOf}`, topicCondition(topic)))
    .as("candidates");
  const rankKey = sql<number>`(${candidates.e} * ${candidates.e}) / (${candidates.a} * ${candidates.a} * ${candidates.a})`;
  const ranked = db
    .select({ id: candidates.id, key: rankKey.as("rank_key") })
    .from(candidates)
    .as("ranked");
  const [order, live] = await Promise.all([
    db
      .select({ id: ranked.id, key: ranked.key })
      .from(ranked)
      .where(after ? or(lt(ranked.key, after.key), and(eq(ranked.key, after.key), lt(ranked.id, after.id))) : undefined)
      .orderBy(desc(ranked.key), desc(ranked.id))
      .limit(limit + 1),
    cursor === undefined ? (liveRead ?? liveCards(db, null)) : [],
  ]);
  const pageIds = order.slice(0, limit);
  const rows = pageIds.length
    ? await db
        .select()
        .from(notes)
        .where(
          inArray(
            notes.id,
            pageIds.map((r) => r.id),
          ),
        )
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inOrder = pageIds.flatMap((r) => {
    const row = byId.get(r.id);
    return row ? [row] : [];
  });
  const last = pageIds.at(-1);
  return {
    live,
    data: await toSummaries(db, inOrder),
    nextCursor: order.length > limit && last ? encodeRankCursor({ asOf, key: last.key, id: last.id }) : null,
  };
}
