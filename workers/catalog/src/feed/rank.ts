// The personalised discover feed's ranking and the related notes' order: pure functions over candidates that the
// Worker reads in one batch (personal.ts) and the offline evaluation builds in memory (bench/recommend.ts), so
// both measure and serve the same code. Design: docs/design/personalised-feed.md
import { HOT_HALF_LIFE_HOURS, type InterestKind, weightAt } from "#shared/interests.ts";

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
  for (const [k, w] of m) out.set(k, top > 0 ? Math.max(-1, w / top) : Math.max(-1, Math.sign(w)));
  return out;
}

/** Each positive weight of one kind as its share of them all (what part of the taste it is). */
function shares(m: Map<string, number>): Map<string, number> {
  let sum = 0;
  for (const w of m.values()) if (w > 0) sum += w ** SHARPNESS;
  const out = new Map<string, number>();
  if (sum > 0) for (const [k, w] of m) if (w > 0) out.set(k, w ** SHARPNESS / sum);
  return out;
}

/** The best of these keys' weights. */
const affinity = (keys: string[], m: Map<string, number>) => {
  let best = 0;
  for (const k of keys) best = Math.max(best, m.get(k) ?? 0);
  return best;
};

/** How many engagements at the pool's mean rate a note's own rate is shrunk toward (few: a note starts noisy). */
const TREND_PRIOR = 3;
const MASS_DEPTH = 30;
/** How much the topics that go with a note count in its related notes, beside its own topics (1). */
const RELATED_CO = 0.3;
const SHARPNESS = 2;

/**
 * How much engagement each note draws now, as a map by id: its engagement per unit of exposure so far, shrunk
 * toward the pool's mean rate by TREND_PRIOR engagements, times the exposure still to come. A note's exposure
 * grows as it ages and fades with the hot lists' half-life, so a fresh note with a good start outranks an old one
 * with a large total; the decayed total cannot tell those apart. See docs/design/personalised-feed.md#ranking.
 */
export function trends(pool: readonly Candidate[], nowMs: number): Map<string, number> {
  const notes = pool.map((c) => ({
    id: c.id,
    engagement: c.likes + 2 * c.saves + 3 * c.comments,
    exposed: 1 - 2 ** (-Math.max(0, nowMs - c.createdAtMs) / (HOT_HALF_LIFE_HOURS * 3_600_000)),
  }));
  let sumEngagement = 0;
  let sumExposure = 0;
  for (const n of notes) {
    sumEngagement += n.engagement;
    sumExposure += n.exposed;
  }
  const meanRate = Math.max(sumEngagement, 1) / Math.max(sumExposure, 1e-9);
  return new Map(
    notes.map((n) => [n.id, ((n.engagement + TREND_PRIOR) / (n.exposed + TREND_PRIOR / meanRate)) * (1 - n.exposed)]),
  );
}

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
  const { limit, nowMs, exclude, exploreShare = 0.07 } = options;
  const topics = normalised(profile.topic);
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
  // The chance a note is the one wanted: over the taste's topics (and, at half, categories), the topic's share of
  // the taste times the note's share of that topic's trend (trends()) among the candidates.
  const topicShare = shares(profile.topic);
  const categoryShare = shares(profile.category);
  const trend = trends(pool, nowMs);
  // A topic's mass: its MASS_DEPTH hottest candidates, the depth every list read reaches, so a list read deeper
  // does not look bigger.
  const lists = new Map<string, number[]>();
  for (const c of pool) {
    const d = trend.get(c.id) ?? 0;
    for (const t of c.topics) if (topicShare.has(t)) lists.set(`t${t}`, [...(lists.get(`t${t}`) ?? []), d]);
    for (const k of c.categories) if (categoryShare.has(k)) lists.set(`c${k}`, [...(lists.get(`c${k}`) ?? []), d]);
  }
  const mass = new Map<string, number>();
  for (const [key, values] of lists) {
    mass.set(
      key,
      values
        .sort((x, y) => y - x)
        .slice(0, MASS_DEPTH)
        .reduce((x, y) => x + y, 0),
    );
  }
  const chance = (c: Candidate) => {
    const d = trend.get(c.id) ?? 0;
    let p = 0;
    for (const t of c.topics) p += ((topicShare.get(t) ?? 0) * d) / (mass.get(`t${t}`) ?? 1);
    for (const k of c.categories) p += (0.5 * (categoryShare.get(k) ?? 0) * d) / (mass.get(`c${k}`) ?? 1);
    return p;
  };
  let maxChance = 0;
  const chances = new Map<string, number>();
  for (const c of pool) {
    const p = chance(c);
    chances.set(c.id, p);
    if (p > maxChance) maxChance = p;
  }
  const relevant: { c: Candidate; score: number }[] = [];
  const explore: { c: Candidate; score: number }[] = [];
  for (const c of pool) {
    let worst = 0;
    for (const t of c.topics) worst = Math.min(worst, topics.get(t) ?? 0);
    const creator = creators.get(c.authorId) ?? 0;
    const relevance =
      (maxChance > 0 ? (chances.get(c.id) ?? 0) / maxChance : 0) +
      0.1 * Math.max(0, creator) +
      0.1 * Math.max(0, affinity(c.merchantIds, merchants)) +
      (maxCo > 0 ? (0.1 * c.co) / maxCo : 0);
    const score = relevance * (1 + worst);
    if (score > 0.01) relevant.push({ c, score });
    else if (worst > -0.25) explore.push({ c, score: globalScore(c, nowMs) });
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
 * Related notes: notes of this one's topics by their trend (its first topic counting most, a later one
 * by 1/position²), plus, at RELATED_CO, notes of the topics that go with it (each topic's share of the
 * co-engagement, times the note's trend), plus sharing a tagged product; never the note itself; at most
 * `capFor(limit)` per author.
 */
export function rankRelated(
  note: Pick<Candidate, "id" | "topics" | "productIds">,
  candidates: Iterable<Candidate>,
  limit: number,
  nowMs: number,
): Candidate[] {
  const topicWeight = new Map(note.topics.map((t, i) => [t, 1 / (i + 1) ** 2]));
  const products = new Set(note.productIds);
  const pool: Candidate[] = [];
  const seen = new Set<string>([note.id]);
  for (const c of candidates) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    pool.push(c);
  }
  // Which topics go with this note's: each topic's share of the co-engagement (notes are too sparse to count one
  // by one; their topics are not).
  const coTopics = new Map<string, number>();
  let coTotal = 0;
  for (const c of pool) {
    if (c.co <= 0) continue;
    for (const t of c.topics) coTopics.set(t, (coTopics.get(t) ?? 0) + c.co);
    coTotal += c.co;
  }
  const trend = trends(pool, nowMs);
  let maxTopical = 0;
  let maxCo = 0;
  const parts = pool.map((c) => {
    let weight = 0;
    let together = 0;
    for (const t of c.topics) {
      weight = Math.max(weight, topicWeight.get(t) ?? 0);
      together = Math.max(together, coTotal > 0 ? (coTopics.get(t) ?? 0) / coTotal : 0);
    }
    const now = trend.get(c.id) ?? 0;
    const topical = weight * now;
    const co = together * now;
    const product = c.productIds.some((p) => products.has(p)) ? 1 : 0;
    maxTopical = Math.max(maxTopical, topical);
    maxCo = Math.max(maxCo, co);
    return { c, topical, co, product };
  });
  const scored = parts
    .map(({ c, topical, co, product }) => ({
      c,
      score: (maxTopical > 0 ? topical / maxTopical : 0) + (maxCo > 0 ? (RELATED_CO * co) / maxCo : 0) + 0.3 * product,
    }))
    .filter((x) => x.score > 0);
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
