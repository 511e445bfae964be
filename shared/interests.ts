// Interest profiles: what each signal is worth, how weights decay, and the statements that add a signal to a
// profile. Pure (no Worker APIs), so the offline evaluation in bench/ learns profiles with the same numbers.
// Every Worker shares the database: a signal is one INSERT … SELECT batch sent after the response (waitUntil).
// Design: docs/design/personalised-feed.md
import type { InStatement } from "@libsql/client/web";

export const interestKinds = ["topic", "category", "creator", "merchant"] as const;
export type InterestKind = (typeof interestKinds)[number];

export const signals = [
  "view",
  "like",
  "save",
  "comment",
  "follow",
  "search",
  "cart",
  "order",
  "not_interested",
] as const;
export type Signal = (typeof signals)[number];

/** What one signal adds to each interest it touches (a view's by its dwell, viewWeight). */
export const signalWeights: Record<Signal, number> = {
  view: 1,
  like: 3,
  save: 4,
  comment: 4,
  follow: 6,
  search: 2,
  cart: 5,
  order: 8,
  not_interested: -12,
};

/** A view is worth little when it bounced and more the longer it was read, up to twice a plain view. */
export function viewWeight(dwellMs: number | undefined): number {
  if (dwellMs === undefined) return signalWeights.view * 0.5;
  if (dwellMs < 3_000) return signalWeights.view * 0.2;
  return signalWeights.view * Math.min(2, 0.5 + dwellMs / 20_000);
}

/** Weights halve every 14 days. */
export const HALF_LIFE_MS = 14 * 86_400_000;
/** How long a note shown in the discover feed counts as recently seen (not shown again). */
export const SEEN_MS = 3 * 86_400_000;
/** The epoch scaled weights and hot keys count from. */
export const EPOCH_MS = Date.UTC(2026, 0, 1);

/** A weight added at `atMs`, scaled so that stored values compare as decayed weights at any later time. */
export function scaledWeight(weight: number, atMs: number): number {
  return weight * 2 ** ((atMs - EPOCH_MS) / HALF_LIFE_MS);
}

/** A stored (scaled) weight as it stands at `nowMs`. */
export function weightAt(scaled: number, nowMs: number): number {
  return scaled / 2 ** ((nowMs - EPOCH_MS) / HALF_LIFE_MS);
}

/** The hot lists' engagement: the global ranking's numerator (workers/catalog/src/feed/list.ts). */
export function engagement(n: { likes: number; saves: number; comments: number }): number {
  return n.likes + 2 * n.saves + 3 * n.comments + 1;
}

/** Hot lists halve a note's engagement every 72 hours of its age. */
export const HOT_HALF_LIFE_HOURS = 72;

// 2^x for the hot key, computable in SQL (which has no pow()): 2^floor(x) from the bits of floor(x) (exact powers
// of two), times a cubic for 2^frac (within 0.1%). Notes created before the epoch count as created at it; x stays
// below 1,024 (8.4 years after the epoch), where the product would overflow.
const POWERS = Array.from({ length: 10 }, (_, i) => 2 ** (2 ** i));
const fracPow = (f: number) => 1 + f * (0.6951 + f * (0.2262 + f * 0.0787));

function freshX(createdAtMs: number): number {
  return Math.min(1023.999, Math.max(0, (createdAtMs - EPOCH_MS) / (HOT_HALF_LIFE_HOURS * 3_600_000)));
}

/** A note's hot key: its engagement scaled by 2^(age since the epoch / 72 h). */
export function hotKey(engagementValue: number, createdAtMs: number): number {
  const x = freshX(createdAtMs);
  const n = Math.floor(x);
  let p = 1;
  for (let i = 0; i < POWERS.length; i++) if (n & (1 << i)) p *= POWERS[i] ?? 1;
  return engagementValue * p * fracPow(x - n);
}

/** SQL for hotKey over a notes row aliased `alias` (its counts and created_at). */
export function hotKeySql(alias: string): string {
  const days = (HOT_HALF_LIFE_HOURS / 24).toString();
  const x = `min(1023.999, max(0.0, (julianday(${alias}.created_at) - julianday('2026-01-01')) / ${days}))`;
  const n = `CAST(${x} AS INTEGER)`;
  const bits = POWERS.map((p, i) => `(CASE WHEN (${n} & ${1 << i}) != 0 THEN ${p.toExponential()} ELSE 1.0 END)`);
  const f = `(${x} - ${n})`;
  const eng = `(${alias}.like_count + 2.0 * ${alias}.save_count + 3.0 * ${alias}.comment_count + 1.0)`;
  return `(${eng} * ${bits.join(" * ")} * (1.0 + ${f} * (0.6951 + ${f} * (0.2262 + ${f} * 0.0787))))`;
}

/**
 * Statements rewriting the hot-list rows of note `:note` from the note as it stands: its topics, its tagged
 * products' categories and the global list while published; none once deleted.
 */
export function hotListStatements(noteId: string): InStatement[] {
  return [
    { sql: "DELETE FROM note_tags WHERE note_id = ?", args: [noteId] },
    {
      sql: `INSERT INTO note_tags (kind, key, note_id, hot)
            SELECT kind, key, n.id, ${hotKeySql("n")} FROM notes n, (
              SELECT 'all' AS kind, '' AS key
              UNION SELECT 'topic', lower(j.value) FROM notes t, json_each(t.topics) j WHERE t.id = :note
              UNION SELECT 'category', lower(p.category) FROM note_products np JOIN products p ON p.id = np.product_id
                WHERE np.note_id = :note AND p.category IS NOT NULL)
            WHERE n.id = :note AND n.status = 'published'
            ON CONFLICT DO NOTHING`,
      args: { note: noteId },
    },
  ];
}

/** After a note's counts changed: its hot keys follow. */
export function hotKeyStatement(noteId: string): InStatement {
  return {
    sql: `UPDATE note_tags SET hot = (SELECT ${hotKeySql("n")} FROM notes n WHERE n.id = note_tags.note_id)
          WHERE note_id = ?`,
    args: [noteId],
  };
}

const upsert = `ON CONFLICT (profile_id, kind, key) DO UPDATE SET weight = weight + excluded.weight,
  signals = json_set(signals, '$.' || :signal, coalesce(json_extract(signals, '$.' || :signal), 0) + 1),
  updated_at = excluded.updated_at`;
const insertHead = "INSERT INTO interests (profile_id, kind, key, weight, signals, updated_at)";
const row = (kind: string, key: string) => `SELECT :profile, '${kind}', ${key}, :weight, json_object(:signal, 1), :at`;

/**
 * Adds a signal on note `noteId` to the profile: each of its topics, its author if a creator, its tagged
 * products' categories and merchants. A not-interested signal weighs on the creator fully (hiding them) and on topics by a quarter.
 */
export function noteSignalStatements(
  profileId: string,
  noteId: string,
  signal: Signal,
  weight: number,
  at: Date,
): InStatement[] {
  const scaled = scaledWeight(weight, at.getTime());
  const args = { profile: profileId, note: noteId, signal, weight: scaled, at: at.toISOString() };
  const topicArgs = signal === "not_interested" ? { ...args, weight: scaled / 4 } : args;
  return [
    {
      sql: `${insertHead} ${row("topic", "lower(j.value)")} FROM notes n, json_each(n.topics) j WHERE n.id = :note
            GROUP BY lower(j.value) ${upsert}`,
      args: topicArgs,
    },
    {
      sql: `${insertHead} ${row("creator", "n.creator_id")} FROM notes n WHERE n.id = :note AND n.creator_id IS NOT NULL
            ${upsert}`,
      args,
    },
    ...(signal === "not_interested" ? [] : productSignalStatements(profileId, { noteId }, signal, weight, at)),
  ];
}

/** Which products a signal is about: those tagged on a note, a cart line's SKUs, or an order's lines. */
export type ProductSource = { noteId: string } | { skuIds: string[] } | { orderId: string };

function productsSql(source: ProductSource): { sql: string; arg: string } {
  if ("noteId" in source) {
    return {
      sql: "SELECT p.* FROM products p JOIN note_products np ON np.product_id = p.id WHERE np.note_id = :src",
      arg: source.noteId,
    };
  }
  if ("skuIds" in source) {
    return {
      sql: "SELECT p.* FROM products p WHERE p.id IN (SELECT product_id FROM skus WHERE id IN (SELECT value FROM json_each(:src)))",
      arg: JSON.stringify(source.skuIds),
    };
  }
  return {
    sql: `SELECT p.* FROM products p WHERE p.id IN
            (SELECT s.product_id FROM order_lines l JOIN skus s ON s.id = l.sku_id WHERE l.order_id = :src)`,
    arg: source.orderId,
  };
}

/** Adds a signal on products (tagged on a note, in a cart line, in an order) to the profile: their categories and merchants. */
export function productSignalStatements(
  profileId: string,
  source: ProductSource,
  signal: Signal,
  weight: number,
  at: Date,
): InStatement[] {
  const products = productsSql(source);
  const args = {
    profile: profileId,
    signal,
    weight: scaledWeight(weight, at.getTime()),
    at: at.toISOString(),
    src: products.arg,
  };
  return [
    {
      sql: `${insertHead} ${row("category", "lower(p.category)")} FROM (${products.sql}) p WHERE p.category IS NOT NULL
            GROUP BY lower(p.category) ${upsert}`,
      args,
    },
    {
      sql: `${insertHead} ${row("merchant", "p.merchant_id")} FROM (${products.sql}) p WHERE true GROUP BY p.merchant_id ${upsert}`,
      args,
    },
  ];
}

/** Adds a signal on a creator or merchant (a follow) to the profile. */
export function followSignalStatement(profileId: string, followeeId: string, at: Date): InStatement {
  const kind = followeeId.startsWith("mer_") ? "merchant" : "creator";
  return {
    sql: `${insertHead} ${row(kind, ":key")} WHERE true ${upsert}`,
    args: {
      profile: profileId,
      key: followeeId,
      signal: "follow",
      weight: scaledWeight(signalWeights.follow, at.getTime()),
      at: at.toISOString(),
    },
  };
}

/** Adds a search to the profile: each word of the query that is a topic some note has. */
export function searchSignalStatement(profileId: string, terms: string[], at: Date): InStatement {
  const words = [...new Set(terms.map((t) => t.toLowerCase()).filter((t) => /^[\p{L}\p{N}_]{2,30}$/u.test(t)))];
  return {
    sql: `${insertHead} ${row("topic", "w.value")} FROM json_each(:words) w
          WHERE EXISTS (SELECT 1 FROM note_tags t WHERE t.kind = 'topic' AND t.key = w.value) ${upsert}`,
    args: {
      profile: profileId,
      words: JSON.stringify(words.slice(0, 5)),
      signal: "search",
      weight: scaledWeight(signalWeights.search, at.getTime()),
      at: at.toISOString(),
    },
  };
}

/** The profile a caller's signals go to: a signed-in person's id, or a storefront guest's visitor id. */
export function profileIdOf(
  actor: { type: string; shopperId?: string; creatorId?: string },
  storefrontKeyId: string | null,
  visitorId: string | undefined,
): string | null {
  if (actor.type === "shopper" && actor.shopperId) return actor.shopperId;
  if (actor.type === "creator" && actor.creatorId) return actor.creatorId;
  if (actor.type === "anonymous" && storefrontKeyId && visitorId) return `visitor:${storefrontKeyId}:${visitorId}`;
  return null;
}
