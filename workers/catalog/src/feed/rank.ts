// The personalised discover feed's ranking and the related notes' order: pure functions over candidates that the
// Worker reads in one batch (personal.ts) and the offline evaluation builds in memory (bench/recommend.ts), so
// both measure and serve the same code. Design: docs/design/personalised-feed.md
import { type InterestKind, weightAt } from "#shared/interests.ts";

export type Source = "interest" | "co" | "follow" | "popular" | "fresh";

export interface Candidate {
  id: string;
  /** The author (`cre_…` or `shp_…`). */
  authorId: string;
  /** Lower case. */
  topics: string[];
  /** Of the tagged products, lower case. */
  categories: string[];
  merchantIds: string[];
  productIds: string[];
  likes: number;
  saves: number;
  comments: number;
  createdAtMs: number;
  /** How many people with overlapping tastes engaged with it (0 if none). */
  co: number;
  sources: Source[];
}

/** A profile's weights as they stand now, by kind and key (negative: pushed down, a creator below 0 is hidden). */
export type ProfileWeights = Record<InterestKind, Map<string, number>>;

export function emptyProfile(): ProfileWeights {
  return { topic: new Map(), category: new Map(), creator: new Map(), merchant: new Map() };
}

/** Stored rows (scaled weights) to the weights at `nowMs`. */
export function profileFrom(
  rows: Iterable<{ kind: InterestKind; key: string; weight: number }>,
  nowMs: number,
): ProfileWeights {
  const profile = emptyProfile();
  for (const r of rows) profile[r.kind].set(r.key, weightAt(r.weight, nowMs));
  return profile;
}

export function isEmpty(profile: ProfileWeights): boolean {
  return Object.values(profile).every((m) => m.size === 0);
}

/** Today's global score: (likes + 2·saves + 3·comments + 1) / (ageHours + 2)^1.5 (list.ts ranks by it in SQL). */
export function globalScore(c: Pick<Candidate, "likes" | "saves" | "comments" | "createdAtMs">, nowMs: number) {
  const e = c.likes + 2 * c.saves + 3 * c.comments + 1;
  const ageHours = Math.max(0, (nowMs - c.createdAtMs) / 3_600_000);
  return e / (ageHours + 2) ** 1.5;
}

/** Weights of one kind divided by the largest positive one, so the strongest interest counts 1. */
function normalised(m: Map<string, number>): Map<string, number> {
  let top = 0;
  for (const w of m.values()) if (w > top) top = w;
  const out = new Map<string, number>();
  for (const [k, w] of m) out.set(k, w > 0 ? (top > 0 ? w / top : 0) : Math.max(-1, top > 0 ? w / top : -1));
  return out;
}

const affinity = (keys: string[], m: Map<string, number>) => {
  let best = 0;
  let worst = 0;
  for (const k of keys) {
    const w = m.get(k) ?? 0;
    if (w > best) best = w;
    if (w < worst) worst = w;
  }
  return best + worst;
};

export interface RankOptions {
  limit: number;
  nowMs: number;
  /** Notes not to show: seen in recent pages, already liked or saved. */
  exclude?: ReadonlySet<string>;
  /** Share of the page kept for notes outside the profile's interests. */
  exploreShare?: number;
}

/** Per page: at most this many notes by one author, and tagging one product. */
export function capFor(limit: number): number {
  return Math.max(1, Math.ceil(limit / 10));
}

export interface Ranked {
  page: Candidate[];
  /** Whether eligible candidates were left for a next page. */
  more: boolean;
}

/**
 * One page for this profile: each candidate scored by how well it matches the profile (topics, categories,
 * creators, merchants, co-engagement) times its engagement and freshness; a creator with a negative weight is
 * dropped; every few places one exploration note (outside the profile's interests, by the global score); at most
 * `capFor(limit)` notes per author and per product.
 */
export function rankFeed(candidates: Iterable<Candidate>, profile: ProfileWeights, options: RankOptions): Ranked {
  const { limit, nowMs, exclude, exploreShare = 0.15 } = options;
  const topics = normalised(profile.topic);
  const categories = normalised(profile.category);
  const creators = normalised(profile.creator);
  const merchants = normalised(profile.merchant);
  let maxCo = 0;
  const pool: Candidate[] = [];
  const seenIds = new Set<string>();
  for (const c of candidates) {
    if (seenIds.has(c.id) || exclude?.has(c.id)) continue;
    seenIds.add(c.id);
    if ((profile.creator.get(c.authorId) ?? 0) < 0) continue;
    pool.push(c);
    if (c.co > maxCo) maxCo = c.co;
  }
  const relevant: { c: Candidate; score: number }[] = [];
  const explore: { c: Candidate; score: number }[] = [];
  for (const c of pool) {
    const relevance =
      affinity(c.topics, topics) +
      0.5 * affinity(c.categories, categories) +
      0.6 * (creators.get(c.authorId) ?? 0) +
      0.3 * affinity(c.merchantIds, merchants) +
      (maxCo > 0 ? (0.8 * c.co) / maxCo : 0);
    const ageHours = Math.max(0, (nowMs - c.createdAtMs) / 3_600_000);
    const quality = Math.log1p(c.likes + 2 * c.saves + 3 * c.comments);
    const freshness = 1 / (1 + ageHours / 72);
    if (relevance > 0.05) relevant.push({ c, score: relevance * relevance * (1 + quality) * (0.25 + freshness) });
    else if (relevance > -0.25) explore.push({ c, score: globalScore(c, nowMs) });
  }
  relevant.sort((a, b) => b.score - a.score || (a.c.id < b.c.id ? 1 : -1));
  explore.sort((a, b) => b.score - a.score || (a.c.id < b.c.id ? 1 : -1));
  const cap = capFor(limit);
  const byAuthor = new Map<string, number>();
  const byProduct = new Map<string, number>();
  const fits = (c: Candidate) =>
    (byAuthor.get(c.authorId) ?? 0) < cap && c.productIds.every((p) => (byProduct.get(p) ?? 0) < cap);
  const take = (c: Candidate) => {
    byAuthor.set(c.authorId, (byAuthor.get(c.authorId) ?? 0) + 1);
    for (const p of c.productIds) byProduct.set(p, (byProduct.get(p) ?? 0) + 1);
    page.push(c);
  };
  const page: Candidate[] = [];
  // An exploration place every `every` places (none when the share is 0); with nothing relevant, all are.
  const every = exploreShare > 0 ? Math.max(2, Math.round(1 / exploreShare)) : Number.POSITIVE_INFINITY;
  let r = 0;
  let e = 0;
  let skipped = false;
  while (page.length < limit && (r < relevant.length || e < explore.length)) {
    const exploring = (page.length + 1) % every === 0 || r >= relevant.length;
    const list = exploring && e < explore.length ? explore : relevant;
    const at = list === explore ? e++ : r++;
    const item = list[at];
    if (!item) continue;
    if (fits(item.c)) take(item.c);
    else skipped = true;
  }
  return { page, more: skipped || r < relevant.length || e < explore.length };
}

/**
 * Related notes: the notes co-engaged with this one, by co-engagement over the square root of their own
 * popularity (so the generally popular do not win everywhere), then notes sharing its topics or products by the
 * global score; never the note itself; at most `capFor(limit)` per author.
 */
export function rankRelated(
  note: Pick<Candidate, "id" | "topics" | "productIds">,
  candidates: Iterable<Candidate>,
  limit: number,
  nowMs: number,
): Candidate[] {
  const topics = new Set(note.topics);
  const products = new Set(note.productIds);
  const scored: { c: Candidate; score: number }[] = [];
  const seen = new Set<string>([note.id]);
  for (const c of candidates) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const shared =
      c.topics.filter((t) => topics.has(t)).length + 2 * c.productIds.filter((p) => products.has(p)).length;
    const popularity = c.likes + 2 * c.saves + 3 * c.comments + 1;
    const co = c.co > 0 ? c.co / Math.sqrt(popularity) : 0;
    const similar = shared > 0 ? Math.min(1, shared / 2) * globalScore(c, nowMs) ** 0.25 * 0.01 : 0;
    if (co + similar > 0) scored.push({ c, score: co + similar });
  }
  scored.sort((a, b) => b.score - a.score || (a.c.id < b.c.id ? 1 : -1));
  const cap = capFor(limit);
  const byAuthor = new Map<string, number>();
  const out: Candidate[] = [];
  for (const { c } of scored) {
    if (out.length >= limit) break;
    const n = byAuthor.get(c.authorId) ?? 0;
    if (n >= cap) continue;
    byAuthor.set(c.authorId, n + 1);
    out.push(c);
  }
  return out;
}
