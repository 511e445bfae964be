// The personalised discover feed (a profile with interests) and related notes. A page is two database round
// trips: one batch reads the profile and every candidate (the strongest interests' hot lists, co-engagement,
// followed creators, the global hot list, the newest notes) with what ranking needs; rank.ts picks the page; one
// batch reads the page's cards. What was shown is written behind (feed_seen) and carried in the cursor, so neither
// the next page nor the next visit repeats it. Design: docs/design/personalised-feed.md
import type { InStatement, Row } from "@libsql/client/web";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { type InterestKind, interestKinds, SEEN_MS } from "#shared/interests.ts";
import { learn } from "#shared/learn.ts";
import { type PaidPartnership, paidPartnershipSql } from "#shared/paid-partnership.ts";
import { textOrNull } from "#shared/rows.ts";
import type { NoteSummary } from "../notes/note.ts";
import type { Feed, LiveCard } from "./list.ts";
import {
  type Candidate,
  isEmpty,
  type ProfileWeights,
  profileFrom,
  rankFeed,
  rankRelated,
  type Source,
} from "./rank.ts";

/** How many ids of this scroll the cursor carries. */
const CURSOR_IDS = 100;
/** Hot-list depth read for the strongest topic, the next four, and the two strongest categories. */
const TOP_TOPIC = 80;
const NEXT_TOPICS = 4;
const NEXT_TOPIC_DEPTH = 40;
const CATEGORIES = 2;
const CATEGORY_DEPTH = 30;

interface PersonalCursor {
  asOf: string;
  /** The last 8 characters of each note id shown in this scroll (the random part, unique enough). */
  shown: string[];
}

const tail = (id: string) => id.slice(-8);

export function encodePersonalCursor(c: PersonalCursor): string {
  return `p.${btoa(JSON.stringify({ a: c.asOf, s: c.shown.join("") }))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_")}`;
}

export function isPersonalCursor(cursor: string | undefined): cursor is string {
  return cursor?.startsWith("p.") ?? false;
}

export function decodePersonalCursor(cursor: string): PersonalCursor {
  try {
    const json: unknown = JSON.parse(atob(cursor.slice(2).replaceAll("-", "+").replaceAll("_", "/")));
    if (json && typeof json === "object" && "a" in json && "s" in json) {
      const { a, s } = json;
      if (typeof a === "string" && !Number.isNaN(Date.parse(a)) && typeof s === "string" && s.length % 8 === 0) {
        return { asOf: a, shown: s.match(/.{8}/g) ?? [] };
      }
    }
  } catch {
    // fall through
  }
  throw new ProblemError("validation_failed", "The cursor is not one this API returned.", {
    errors: [{ path: "/cursor", message: "unknown cursor" }],
  });
}

/** The columns rank.ts needs of a note `n`, with its tagged products' ids, categories and merchants. */
const candidateColumns = `n.id, coalesce(n.creator_id, n.shopper_id) AS author, n.topics, n.like_count, n.save_count,
  n.comment_count, n.created_at,
  (SELECT json_group_array(json_array(np.product_id, lower(p.category), p.merchant_id))
     FROM note_products np JOIN products p ON p.id = np.product_id WHERE np.note_id = n.id) AS products`;

function toCandidate(r: Row, sources: Source[], co: number): Candidate {
  const products = JSON.parse(String(r.products ?? "[]")) as [string, string | null, string][];
  return {
    id: String(r.id),
    authorId: String(r.author),
    topics: (JSON.parse(String(r.topics)) as string[]).map((t) => t.toLowerCase()),
    categories: [...new Set(products.flatMap(([, c]) => (c ? [c] : [])))],
    merchantIds: [...new Set(products.map(([, , m]) => m))],
    productIds: products.map(([p]) => p),
    likes: Number(r.like_count),
    saves: Number(r.save_count),
    comments: Number(r.comment_count),
    createdAtMs: Date.parse(String(r.created_at)),
    co,
    sources,
  };
}

/**
 * SQL: the notes liked or saved by the people who liked or saved the notes in `mine`, with how many did. CROSS JOIN
 * keeps SQLite's join order (peers first, then their rows by the actor index), which it otherwise inverts into a scan.
 */
const coEngaged = (mine: string, except: string) => `
  peers AS (SELECT actor_id, count(*) AS n FROM (
              SELECT actor_id FROM note_likes WHERE note_id IN (${mine})
              UNION ALL SELECT actor_id FROM note_saves WHERE note_id IN (${mine}))
            WHERE actor_id != ${except} GROUP BY actor_id ORDER BY n DESC LIMIT 50),
  co AS (SELECT note_id, sum(n) AS co FROM (
           SELECT l.note_id, peers.n FROM peers CROSS JOIN note_likes l ON l.actor_id = peers.actor_id
           UNION ALL SELECT v.note_id, peers.n FROM peers CROSS JOIN note_saves v ON v.actor_id = peers.actor_id)
         GROUP BY note_id ORDER BY co DESC LIMIT 120)`;

/** The first round trip of a personal page: the profile, then every candidate with its sources. */
function candidateStatements(profileId: string, asOf: string, shownTails: string[]): InStatement[] {
  const since = new Date(Date.parse(asOf) - SEEN_MS).toISOString();
  const hotList = (kind: string, offset: number, depth: number) =>
    `SELECT * FROM (SELECT note_id, 'interest' AS src, 0 AS co FROM note_tags WHERE kind = '${kind}'
       AND key = (SELECT key FROM interests WHERE profile_id = :p AND kind = '${kind}' AND weight > 0
                  ORDER BY weight DESC LIMIT 1 OFFSET ${offset})
       ORDER BY hot DESC LIMIT ${depth})`;
  const sources = [
    hotList("topic", 0, TOP_TOPIC),
    ...Array.from({ length: NEXT_TOPICS }, (_, i) => hotList("topic", i + 1, NEXT_TOPIC_DEPTH)),
    ...Array.from({ length: CATEGORIES }, (_, i) => hotList("category", i, CATEGORY_DEPTH)),
    "SELECT note_id, 'co', co FROM co",
    `SELECT * FROM (SELECT id, 'follow', 0 FROM notes WHERE status = 'published'
       AND creator_id IN (SELECT followee_id FROM follows WHERE follower_id = :p) ORDER BY id DESC LIMIT 40)`,
    `SELECT * FROM (SELECT note_id, 'popular', 0 FROM note_tags WHERE kind = 'all' AND key = ''
       ORDER BY hot DESC LIMIT 100)`,
    `SELECT * FROM (SELECT id, 'fresh', 0 FROM notes WHERE status = 'published' ORDER BY id DESC LIMIT 30)`,
  ];
  return [
    {
      sql: `SELECT kind, key, weight FROM interests WHERE profile_id = :p AND weight > 0
            ORDER BY weight DESC LIMIT 40`,
      args: { p: profileId },
    },
    {
      sql: "SELECT kind, key, weight FROM interests WHERE profile_id = :p AND weight < 0 LIMIT 100",
      args: { p: profileId },
    },
    {
      sql: `WITH
        mine AS (SELECT * FROM (SELECT note_id FROM note_likes WHERE actor_id = :p ORDER BY created_at DESC LIMIT 30)
                 UNION SELECT * FROM (SELECT note_id FROM note_saves WHERE actor_id = :p ORDER BY created_at DESC LIMIT 30)),
        ${coEngaged("SELECT note_id FROM mine", ":p")},
        cand AS (${sources.join("\n UNION ALL ")}),
        merged AS (SELECT note_id, group_concat(DISTINCT src) AS srcs, max(co) AS co FROM cand GROUP BY note_id)
        SELECT ${candidateColumns}, merged.srcs, merged.co FROM merged CROSS JOIN notes n ON n.id = merged.note_id
        WHERE n.status = 'published' AND n.created_at <= :asOf
          AND substr(n.id, -8) NOT IN (SELECT value FROM json_each(:shown))
          AND NOT EXISTS (SELECT 1 FROM feed_seen s WHERE s.profile_id = :p AND s.note_id = n.id AND s.seen_at > :since)
          AND NOT EXISTS (SELECT 1 FROM note_likes l WHERE l.actor_id = :p AND l.note_id = n.id)
          AND NOT EXISTS (SELECT 1 FROM note_saves v WHERE v.actor_id = :p AND v.note_id = n.id)`,
      args: { p: profileId, asOf, since, shown: JSON.stringify(shownTails) },
    },
  ];
}

function profileOf(positive: Row[], negative: Row[], nowMs: number): ProfileWeights {
  const rows = [...positive, ...negative].flatMap((r) => {
    const kind = String(r.kind) as InterestKind;
    return interestKinds.includes(kind) ? [{ kind, key: String(r.key), weight: Number(r.weight) }] : [];
  });
  return profileFrom(rows, nowMs);
}

/** The cards of these notes, in this order: one round trip. */
export async function summariesOf(db: Database, ids: string[]): Promise<NoteSummary[]> {
  if (ids.length === 0) return [];
  const args = { ids: JSON.stringify(ids) };
  const [noteRows, tagRows] = await db.$client.batch(
    [
      {
        sql: `SELECT n.id, n.creator_id, n.shopper_id, n.title, json_extract(n.images, '$[0]') AS cover, n.topics, n.like_count,
                n.save_count, n.comment_count, n.created_at, n.updated_at, c.name AS creator_name, c.handle,
                c.avatar_url, s.display_name, ${paidPartnershipSql("n.id")} AS paid_partnership
              FROM notes n LEFT JOIN creators c ON c.id = n.creator_id LEFT JOIN shoppers s ON s.id = n.shopper_id
              WHERE n.id IN (SELECT value FROM json_each(:ids))`,
        args,
      },
      {
        sql: `SELECT note_id, product_id FROM note_products WHERE note_id IN (SELECT value FROM json_each(:ids))
              ORDER BY rowid`,
        args,
      },
    ],
    "read",
  );
  const byId = new Map((noteRows?.rows ?? []).map((r) => [String(r.id), r]));
  const tags = tagRows?.rows ?? [];
  return ids.flatMap((id): NoteSummary[] => {
    const r = byId.get(id);
    if (!r) return [];
    const creatorId = textOrNull(r.creator_id);
    const author: NoteSummary["author"] = creatorId
      ? {
          type: "creator",
          id: creatorId,
          name: textOrNull(r.creator_name),
          handle: textOrNull(r.handle),
          avatarUrl: textOrNull(r.avatar_url),
        }
      : {
          type: "shopper",
          id: String(r.shopper_id),
          name: textOrNull(r.display_name),
          handle: null,
          avatarUrl: null,
        };
    return [
      {
        id,
        object: "note",
        author,
        title: String(r.title),
        cover: textOrNull(r.cover),
        topics: JSON.parse(String(r.topics)) as string[],
        productIds: tags.filter((t) => t.note_id === id).map((t) => String(t.product_id)),
        paidPartnership:
          r.paid_partnership === null ? null : (JSON.parse(String(r.paid_partnership)) as PaidPartnership),
        likeCount: Number(r.like_count),
        saveCount: Number(r.save_count),
        commentCount: Number(r.comment_count),
        createdAt: String(r.created_at),
        updatedAt: String(r.updated_at),
      },
    ];
  });
}

/**
 * A page of the personalised discover feed for `profileId`, or null when the profile is empty (the caller serves
 * the global ranking then: the cold start). The first page's live cards come from `live`, read beside the first
 * round trip.
 */
export async function personalFeed({
  db,
  config,
  profileId,
  limit,
  cursor,
  live,
  now = new Date(),
}: {
  db: Database;
  config: { LIBSQL_URL: string; LIBSQL_AUTH_TOKEN?: string };
  profileId: string;
  limit: number;
  cursor: string | undefined;
  live: Promise<LiveCard[]>;
  now?: Date;
}): Promise<Feed | null> {
  const after = cursor === undefined ? undefined : decodePersonalCursor(cursor);
  const asOf = after?.asOf ?? now.toISOString();
  const shown = after?.shown ?? [];
  const [positive, negative, candidates] = await db.$client.batch(candidateStatements(profileId, asOf, shown), "read");
  const nowMs = Date.parse(asOf);
  const profile = profileOf(positive?.rows ?? [], negative?.rows ?? [], nowMs);
  if (isEmpty(profile) && after === undefined) return null;
  const pool = (candidates?.rows ?? []).map((r) =>
    toCandidate(r, String(r.srcs ?? "").split(",") as Source[], Number(r.co ?? 0)),
  );
  const ranked = rankFeed(pool, profile, { limit, nowMs });
  const ids = ranked.page.map((c) => c.id);
  const [data, liveCards] = await Promise.all([summariesOf(db, ids), after === undefined ? live : []]);
  if (ids.length > 0) {
    learn(config, [
      {
        sql: `INSERT INTO feed_seen (profile_id, note_id, seen_at) SELECT :p, value, :at FROM json_each(:ids) WHERE true
              ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at`,
        args: { p: profileId, at: now.toISOString(), ids: JSON.stringify(ids) },
      },
    ]);
  }
  const nextShown = [...shown, ...ids.map(tail)].slice(-CURSOR_IDS);
  return {
    live: liveCards,
    data,
    nextCursor: ranked.more && ids.length > 0 ? encodePersonalCursor({ asOf, shown: nextShown }) : null,
  };
}

/**
 * Notes related to `noteId` (rank.ts rankRelated): candidates from the notes co-engaged with it, its topics' hot
 * lists, the hot lists of the two topics that go most with it among the co-engaged, and notes tagging its products.
 */
export async function relatedNotes(db: Database, noteId: string, limit: number, now = new Date()) {
  const args = { id: noteId };
  const [noteRows, candidates] = await db.$client.batch(
    [
      { sql: `SELECT ${candidateColumns} FROM notes n WHERE n.id = :id AND n.status = 'published'`, args },
      {
        sql: `WITH ${coEngaged("SELECT :id", "''")},
          own AS (SELECT lower(value) AS topic FROM notes, json_each(notes.topics) WHERE notes.id = :id),
          together AS (SELECT lower(j.value) AS topic, sum(co.co) AS n FROM co JOIN notes n ON n.id = co.note_id,
                         json_each(n.topics) j WHERE lower(j.value) NOT IN (SELECT topic FROM own)
                       GROUP BY lower(j.value) ORDER BY n DESC LIMIT 2),
          cand AS (SELECT note_id, co FROM co
            UNION ALL SELECT * FROM (SELECT t.note_id, 0 FROM note_tags t WHERE t.kind = 'topic'
              AND t.key IN (SELECT topic FROM own) ORDER BY t.hot DESC LIMIT 150)
            UNION ALL SELECT * FROM (SELECT t.note_id, 0 FROM note_tags t WHERE t.kind = 'topic'
              AND t.key = (SELECT topic FROM together LIMIT 1 OFFSET 0) ORDER BY t.hot DESC LIMIT 30)
            UNION ALL SELECT * FROM (SELECT t.note_id, 0 FROM note_tags t WHERE t.kind = 'topic'
              AND t.key = (SELECT topic FROM together LIMIT 1 OFFSET 1) ORDER BY t.hot DESC LIMIT 30)
            UNION ALL SELECT np2.note_id, 0 FROM note_products np JOIN note_products np2 ON np2.product_id = np.product_id
              WHERE np.note_id = :id),
          merged AS (SELECT note_id, max(co) AS co FROM cand GROUP BY note_id)
          SELECT ${candidateColumns}, merged.co FROM merged CROSS JOIN notes n ON n.id = merged.note_id
          WHERE n.status = 'published' AND n.id != :id`,
        args,
      },
    ],
    "read",
  );
  const noteRow = noteRows?.rows[0];
  if (!noteRow) throw new ProblemError("not_found", `Note ${noteId} does not exist.`);
  const note = toCandidate(noteRow, [], 0);
  const pool = (candidates?.rows ?? []).map((r) => toCandidate(r, [], Number(r.co ?? 0)));
  const ranked = rankRelated(note, pool, limit, now.getTime());
  return {
    data: await summariesOf(
      db,
      ranked.map((c) => c.id),
    ),
  };
}
