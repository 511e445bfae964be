// The generated community the recommendation benchmark (recommend.ts) evaluates on, from a fixed seed: creators,
// products, merchants and notes over 36 topics, and shoppers whose engagements are drawn from planted tastes (two or
// three topics each, mostly from clusters of interests that go together), with popularity skew (a note's appeal is log-normal, topics and creators Zipf-like), drift (a
// share of shoppers swap one taste midway) and noise (some engagements on any topic).

export const DAY_MS = 86_400_000;
/** Day 0 of the generated month (after the epoch of shared/interests.ts). */
export const START_MS = Date.UTC(2026, 9, 1);

export interface Sizes {
  shoppers: number;
  notes: number;
  engagements: number;
  topics: number;
  creators: number;
  days: number;
}

export const defaultSizes: Sizes = {
  shoppers: 10_000,
  notes: 50_000,
  engagements: 1_000_000,
  topics: 36,
  creators: 2_500,
  days: 30,
};

export const kinds = ["view", "like", "save", "comment"] as const;
export type Kind = (typeof kinds)[number];

export interface Note {
  id: string;
  creator: number;
  topics: string[];
  /** Indices into products. */
  products: number[];
  createdAtMs: number;
  appeal: number;
}

export interface Community {
  sizes: Sizes;
  topics: string[];
  categories: string[];
  merchants: string[];
  creators: string[];
  products: { id: string; category: string; merchant: number }[];
  notes: Note[];
  /** Engagements, in columns, sorted by shopper then time. */
  shopper: Int32Array;
  note: Int32Array;
  kind: Uint8Array;
  atMs: Float64Array;
  dwellMs: Float64Array;
  /** Each shopper's planted tastes (topic indices), before and after drift. */
  tastes: number[][];
}

/** mulberry32: a small, fast, seedable generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks an index by weight from a cumulative array. */
function pick(cumulative: Float64Array, r: number): number {
  const x = r * (cumulative[cumulative.length - 1] ?? 0);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cumulate(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  return out;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function generate(seed = 20261207, sizes: Sizes = defaultSizes): Community {
  const random = rng(seed);
  const topics = Array.from({ length: sizes.topics }, (_, i) => `topic${pad(i, 2)}`);
  const topicWeights = cumulate(topics.map((_, i) => 1 / (i + 3) ** 0.8));
  const categories = Array.from({ length: 12 }, (_, i) => `category${pad(i, 2)}`);
  const merchants = Array.from({ length: 300 }, (_, i) => `mer_bench${pad(i, 16)}`);
  const products = Array.from({ length: 6_000 }, (_, i) => ({
    id: `prod_bench${pad(i, 16)}`,
    category: categories[i % categories.length] ?? "",
    merchant: Math.floor(random() * merchants.length),
  }));
  const productsByCategory = categories.map((_, c) =>
    products.flatMap((_p, i) => (i % categories.length === c ? [i] : [])),
  );
  const creators = Array.from({ length: sizes.creators }, (_, i) => `cre_bench${pad(i, 16)}`);
  const creatorTopics = creators.map(() => {
    const main = pick(topicWeights, random());
    return random() < 0.3 ? [main, pick(topicWeights, random())] : [main];
  });
  const creatorActivity = cumulate(creators.map(() => Math.exp(gaussian(random) * 1.1)));

  const notes: Note[] = [];
  for (let i = 0; i < sizes.notes; i++) {
    const creator = pick(creatorActivity, random());
    const own = creatorTopics[creator] ?? [0];
    const topic = own[Math.floor(random() * own.length)] ?? 0;
    const noteTopics = [topics[topic] ?? ""];
    if (random() < 0.2) {
      const extra = topics[pick(topicWeights, random())] ?? "";
      if (!noteTopics.includes(extra)) noteTopics.push(extra);
    }
    const noteProducts: number[] = [];
    if (random() < 0.5) {
      const pool = productsByCategory[topic % categories.length] ?? [];
      const count = random() < 0.7 ? 1 : 2;
      for (let k = 0; k < count; k++) noteProducts.push(pool[Math.floor(random() * pool.length)] ?? 0);
    }
    notes.push({
      id: `note_bench${pad(i, 16)}`,
      creator,
      topics: noteTopics,
      products: [...new Set(noteProducts)],
      createdAtMs: START_MS + random() * sizes.days * DAY_MS,
      appeal: Math.exp(gaussian(random) * 1.0),
    });
  }
  // Each topic's notes by creation time, for "a recent note of this topic, the appealing ones more often".
  const byTopic = topics.map(() => [] as number[]);
  notes.forEach((n, i) => {
    for (const t of n.topics) byTopic[topics.indexOf(t)]?.push(i);
  });
  for (const list of byTopic) list.sort((a, b) => (notes[a]?.createdAtMs ?? 0) - (notes[b]?.createdAtMs ?? 0));

  // Interests come in clusters (storage with small flats and cooking at home, say): 12 personas of 4 topics each.
  // Shoppers: two or three tastes, from one persona (80%) or anywhere; 40% swap one of them at a time in the second
  // half (drift).
  const personas = Array.from({ length: 12 }, () => {
    const own: number[] = [];
    while (own.length < 4) {
      const t = pick(topicWeights, random());
      if (!own.includes(t)) own.push(t);
    }
    return own;
  });
  const tastes: number[][] = [];
  const drifted: { at: number; to: number[] }[] = [];
  const activity: number[] = [];
  for (let s = 0; s < sizes.shoppers; s++) {
    const count = random() < 0.5 ? 2 : 3;
    const persona = random() < 0.8 ? personas[Math.floor(random() * personas.length)] : undefined;
    const own: number[] = [];
    while (own.length < count) {
      const t = persona ? (persona[Math.floor(random() * persona.length)] ?? 0) : pick(topicWeights, random());
      if (!own.includes(t)) own.push(t);
    }
    tastes.push(own);
    if (random() < 0.4) {
      const to = [...own];
      let t = pick(topicWeights, random());
      while (to.includes(t)) t = pick(topicWeights, random());
      to[Math.floor(random() * to.length)] = t;
      drifted.push({ at: START_MS + (12 + random() * 12) * DAY_MS, to });
    } else drifted.push({ at: Number.POSITIVE_INFINITY, to: own });
    activity.push(Math.exp(gaussian(random) * 0.8));
  }
  const activitySum = activity.reduce((a, b) => a + b, 0);
  // A little over the target: engagements before a topic has notes are dropped.
  const counts = activity.map((a) => Math.max(5, Math.round((a / activitySum) * sizes.engagements * 1.005)));

  const total = counts.reduce((a, b) => a + b, 0);
  const shopper = new Int32Array(total);
  const note = new Int32Array(total);
  const kind = new Uint8Array(total);
  const atMs = new Float64Array(total);
  const dwellMs = new Float64Array(total);
  let e = 0;
  for (let s = 0; s < sizes.shoppers; s++) {
    const times = Array.from({ length: counts[s] ?? 0 }, () => START_MS + random() * sizes.days * DAY_MS).sort(
      (a, b) => a - b,
    );
    const shift = drifted[s] ?? { at: Number.POSITIVE_INFINITY, to: [] };
    for (const t of times) {
      const own = t >= shift.at ? shift.to : (tastes[s] ?? []);
      const inTaste = random() < 0.85;
      const topic = inTaste ? (own[Math.floor(random() * own.length)] ?? 0) : pick(topicWeights, random());
      const list = byTopic[topic] ?? [];
      // A note created a few days before (exponential, mean 3 days), among its 40 neighbours by creation time,
      // chosen by appeal: recent and appealing notes draw most of the engagement.
      const target = t - -Math.log(1 - random()) * 3 * DAY_MS;
      let hi = 0;
      let lo = list.length;
      while (hi < lo) {
        const mid = (hi + lo) >> 1;
        if ((notes[list[mid] ?? 0]?.createdAtMs ?? 0) <= target) hi = mid + 1;
        else lo = mid;
      }
      const end = Math.max(1, hi);
      const window = list.slice(Math.max(0, end - 40), end).filter((i) => (notes[i]?.createdAtMs ?? 0) <= t);
      if (window.length === 0) continue;
      const chosen = window[pick(cumulate(window.map((i) => notes[i]?.appeal ?? 1)), random())] ?? 0;
      const r = random();
      shopper[e] = s;
      note[e] = chosen;
      kind[e] = r < 0.55 ? 0 : r < 0.8 ? 1 : r < 0.92 ? 2 : 3;
      atMs[e] = t;
      dwellMs[e] = -Math.log(1 - random()) * (inTaste ? 20_000 : 5_000);
      e++;
    }
  }
  return {
    sizes,
    topics,
    categories,
    merchants,
    creators,
    products,
    notes,
    shopper: shopper.subarray(0, e),
    note: note.subarray(0, e),
    kind: kind.subarray(0, e),
    atMs: atMs.subarray(0, e),
    dwellMs: dwellMs.subarray(0, e),
    tastes,
  };
}
