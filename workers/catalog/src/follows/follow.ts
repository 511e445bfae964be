// Follows: a shopper or creator follows a creator (cre_) or a merchant (mer_). Like likes, the follower count moves
// only when the follows row really appears or disappears, in one batch (one transaction), so it stays exact under
// repeats and concurrency.
import { z } from "@hono/zod-openapi";
import { and, desc, eq, exists, inArray, lt, not, or, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import type { Page, PageRequest } from "#shared/pagination.ts";
import { decodeJsonCursor, encodeJsonCursor } from "#shared/pagination.ts";
import { creators, follows, merchants } from "#shared/schema.ts";

export const FolloweeSchema = z
  .object({
    type: z.enum(["creator", "merchant"]),
    id: z.string(),
    name: z.string(),
    handle: z.string(),
    avatarUrl: z.string().nullable(),
    followerCount: z.number().int(),
  })
  .openapi("Followee");

export const FollowStateSchema = z
  .object({
    object: z.literal("follow"),
    followeeId: z.string(),
    following: z.boolean(),
    followerCount: z.number().int(),
  })
  .openapi("FollowState");

export const FollowSchema = z
  .object({ object: z.literal("follow"), followee: FolloweeSchema, createdAt: z.string() })
  .openapi("Follow");

export type FollowState = z.infer<typeof FollowStateSchema>;
export type Follow = z.infer<typeof FollowSchema>;

function targetOf(followeeId: string) {
  return followeeId.startsWith("cre_")
    ? { table: creators, id: creators.id, count: creators.followerCount }
    : { table: merchants, id: merchants.id, count: merchants.followerCount };
}

export async function setFollow({
  db,
  followerId,
  followeeId,
  following,
}: {
  db: Database;
  followerId: string;
  followeeId: string;
  following: boolean;
}): Promise<FollowState> {
  if (followerId === followeeId) {
    throw new ProblemError("validation_failed", "Nobody follows themselves.", {
      errors: [{ path: "/followeeId", message: "is you" }],
    });
  }
  const target = targetOf(followeeId);
  const mine = and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId));
  const existing = db.select({ one: sql`1` }).from(follows).where(mine);
  const exists_ = await db.select({ id: target.id }).from(target.table).where(eq(target.id, followeeId));
  if (exists_.length === 0) throw new ProblemError("not_found", `${followeeId} does not exist.`);
  const read = db.select({ count: target.count }).from(target.table).where(eq(target.id, followeeId));
  const [, , after] = following
    ? await db.batch([
        db
          .update(target.table)
          .set({ followerCount: sql`${target.count} + 1` })
          .where(and(eq(target.id, followeeId), not(exists(existing)))),
        db
          .insert(follows)
          .values({ followerId, followeeId, createdAt: new Date().toISOString() })
          .onConflictDoNothing(),
        read,
      ])
    : await db.batch([
        db
          .update(target.table)
          .set({ followerCount: sql`max(${target.count} - 1, 0)` })
          .where(and(eq(target.id, followeeId), exists(existing))),
        db.delete(follows).where(mine),
        read,
      ]);
  return { object: "follow", followeeId, following, followerCount: after[0]?.count ?? 0 };
}

// Newest follow first; the cursor is the last (createdAt, followeeId), since one person's follows share followerId.
function encodeFollowCursor(createdAt: string, followeeId: string): string {
  return encodeJsonCursor({ t: createdAt, f: followeeId });
}

function decodeFollowCursor(cursor: string | undefined): { t: string; f: string } | undefined {
  if (cursor === undefined) return undefined;
  return decodeJsonCursor(cursor, ({ t, f }) =>
    typeof t === "string" && typeof f === "string" ? { t, f } : undefined,
  );
}

/** A followee as a list of follows shows it (a merchant has no avatar). */
function followeeOf(
  type: Follow["followee"]["type"],
  row: { id: string; name: string; handle: string; avatarUrl?: string | null; followerCount: number },
): Follow["followee"] {
  const { id, name, handle, followerCount } = row;
  return { type, id, name, handle, avatarUrl: row.avatarUrl ?? null, followerCount };
}

export async function listFollows({
  db,
  followerId,
  limit,
  cursor,
}: { db: Database; followerId: string } & PageRequest): Promise<Page<Follow>> {
  const after = decodeFollowCursor(cursor);
  const rows = await db
    .select()
    .from(follows)
    .where(
      and(
        eq(follows.followerId, followerId),
        after
          ? or(lt(follows.createdAt, after.t), and(eq(follows.createdAt, after.t), lt(follows.followeeId, after.f)))
          : undefined,
      ),
    )
    .orderBy(desc(follows.createdAt), desc(follows.followeeId))
    .limit(limit + 1);
  const data = rows.slice(0, limit);
  const ids = data.map((r) => r.followeeId);
  const creatorIds = ids.filter((id) => id.startsWith("cre_"));
  const merchantIds = ids.filter((id) => id.startsWith("mer_"));
  const [creatorRows, merchantRows] = await Promise.all([
    creatorIds.length ? db.select().from(creators).where(inArray(creators.id, creatorIds)) : [],
    merchantIds.length ? db.select().from(merchants).where(inArray(merchants.id, merchantIds)) : [],
  ]);
  const found = [
    ...creatorRows.map((c) => followeeOf("creator", c)),
    ...merchantRows.map((m) => followeeOf("merchant", m)),
  ];
  const followees = new Map(found.map((f) => [f.id, f]));
  const last = data.at(-1);
  return {
    data: data.flatMap((r) => {
      const followee = followees.get(r.followeeId);
      return followee ? [{ object: "follow" as const, followee, createdAt: r.createdAt }] : [];
    }),
    nextCursor: rows.length > limit && last ? encodeFollowCursor(last.createdAt, last.followeeId) : null,
  };
}
