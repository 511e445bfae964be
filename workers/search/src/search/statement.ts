// The main statement: match, filter, score, count, facet and page in one SQL statement over the FTS5 tables, each
// match collected once (materialised CTEs). Fast at 200,000 documents through per-kind rowid ranges, signals beside
// the index (no bm25()), and a rank window of the RANK_WINDOW best text matches for unfiltered relevance searches.
// Design: docs/design/search-index.md#what-keeps-a-search-fast
import type { InArgs, InStatement, InValue } from "@libsql/client";
import { paidPartnershipSql } from "#shared/paid-partnership.ts";
import { unitPriceSql } from "#shared/pricing.ts";
import type { Ranking } from "../settings/ranking.ts";
import type { Plan } from "./plan.ts";
import type { Matcher } from "./query.ts";
import type { Cursor, SearchInput, SearchType, Sort } from "./search.ts";

/** Facets per type: each a column of `scored`, or a JSON array column counted per element. */
export const facetColumns: Record<SearchType, Record<string, { column: string; array?: true }>> = {
  products: { category: { column: "category" }, brand: { column: "brand" } },
  notes: { topic: { column: "topics", array: true }, creatorId: { column: "creator_id" } },
  live: { status: { column: "status" } },
};

/** Named arguments for one statement: bind(value) gives its placeholder. */
class Args {
  readonly values: Record<string, InValue> = {};
  #n = 0;
  bind(value: InValue): string {
    const name = `p${this.#n++}`;
    this.values[name] = value;
    return `:${name}`;
  }
}

/**
 * The rowids of one kind's documents: [lo, hi). A migration (search_kind_ranges) gives each new search_documents row
 * the next rowid of its kind's range, so `rowid >= lo AND rowid < hi` confines an FTS5 query to a kind.
 */
const KIND_RANGE = 2 ** 40;
const kindBase = { products: 1, notes: 2, live: 3 } as const;
function kindRange(type: SearchType): [lo: number, hi: number] {
  return [kindBase[type] * KIND_RANGE, (kindBase[type] + 1) * KIND_RANGE];
}

/**
 * The text score of one term found by one lookup: TERM_SCORE (about BM25's IDF of a term in a few percent of 200,000
 * documents) times the lookup's weight, TITLE_FACTOR times that in the title (BM25's term saturation, k1 = 1.2, of a
 * title occurrence weighted 4× over one body occurrence). bm25() itself is not used: it costs a lookup and a decoded
 * position list per match, most of a search's time at 200,000 documents.
 */
const TERM_SCORE = 3.5;
const TITLE_FACTOR = 1.7;

/**
 * A relevance search of products or notes with more matches than this and no filter ranks the RANK_WINDOW best by
 * text score (the most recently indexed first among equals), re-ranked by every signal, and counts its facets over
 * them. Other sorts, filtered searches and live sessions rank and count every match.
 */
export const RANK_WINDOW = 500;

/** Such a search counts its matches exactly up to COUNT_BOUND; past it, totalCount is COUNT_BOUND and totalIsExact
 *  false (as Algolia and Meilisearch estimate beyond a bound): counting thousands of matches costs more than ranking. */
export const COUNT_BOUND = 1000;
const upToBound = (rows: string) => `(SELECT count(*) FROM (${rows} LIMIT ${COUNT_BOUND + 1}))`;

const tables = ["trigram", "words"] as const;
const anyOf = (ms: Matcher[]) => ms.map((m) => `(${m.match})`).join(" OR ");

/**
 * The CTEs `matched(rid, text_score, phrase)` (every match of the type) and `ranked(rid, text_score, phrase)` (those
 * ranked: all, or the RANK_WINDOW best when `windowed`). `phrase`: the title contains the whole query.
 */
function matchSql(p: Plan, type: SearchType, windowed: boolean, args: Args): { ctes: string; total: string } {
  const [from, to] = kindRange(type);
  // Written into the statement, not bound: a JavaScript number is bound as a REAL, and FTS5 takes a rowid bound only
  // when it is an INTEGER (else it reads the whole index and SQLite drops the other kinds' rows one by one).
  const [lo, hi] = [String(from), String(to)];
  const range = `rowid >= ${lo} AND rowid < ${hi}`;
  const tiered = windowed ? tieredSql(p, lo, hi, args) : null;
  if (tiered) return tiered;
  if (!p.q) {
    const browse = `SELECT id AS rid, 0.0 AS text_score, 0 AS phrase FROM search_documents WHERE id >= ${lo} AND id < ${hi}`;
    return {
      ctes: `matched AS (${browse}),
${windowed ? `ranked AS MATERIALIZED (${browse} ORDER BY id DESC LIMIT ${RANK_WINDOW})` : "ranked AS (SELECT * FROM matched)"}`,
      total: windowed ? upToBound("SELECT 1 FROM matched") : "(SELECT count(*) FROM scored)",
    };
  }
  // The best tier of a windowed query of several terms: every term as typed in the title (no lookup scores more).
  // When it holds RANK_WINDOW rows they are the window, and every other lookup matches the empty phrase (FTS5 reads
  // nothing); the candidates are still found, for the count.
  const [first] = p.clauses;
  const best = first?.[0];
  const top =
    windowed &&
    best &&
    p.clauses.length > 1 &&
    p.whole.length === 0 &&
    p.clauses.every((ms) => ms[0]?.table === best.table && ms.every((m) => m.weight <= (ms[0]?.weight ?? 0)))
      ? {
          table: `search_${best.table}`,
          match: p.clauses.map((ms) => `{title} : (${ms[0]?.match})`).join(" AND "),
          score: p.clauses.reduce((sum, ms) => sum + (ms[0]?.weight ?? 0) * TERM_SCORE * TITLE_FACTOR, 0),
        }
      : null;
  const full = `(SELECT count(*) FROM top) >= ${RANK_WINDOW}`;
  const fts = (table: string, match: string, guarded = false) => {
    const bound = args.bind(match);
    return `SELECT rowid FROM search_${table} WHERE search_${table} MATCH ${top && guarded ? `CASE WHEN ${full} THEN '""' ELSE ${bound} END` : bound} AND ${range}`;
  };
  // Per FTS5 table, the terms all of whose lookups are in it, AND-ed: FTS5 intersects them itself, far faster than
  // SQL collects and groups thousands of rowids. Terms with lookups in both tables are sets of their own.
  type Table = (typeof tables)[number];
  const pure = (t: Table) =>
    p.clauses.flatMap((ms, i) => (ms.every((m) => m.table === t) ? [{ i, all: `(${anyOf(ms)})` }] : []));
  /** The table's pure terms AND-ed, but for the term `except` (FTS5 would match a lookup's own term twice). */
  const within = (t: Table, except = -1) =>
    pure(t)
      .filter(({ i }) => i !== except)
      .map(({ all }) => all)
      .join(" AND ");
  const narrowed = (t: Table, match: string, except = -1) => {
    const others = within(t, except);
    return others ? `(${match}) AND ${others}` : match;
  };
  const sets = [
    ...tables.flatMap((t) => {
      const all = within(t);
      return all ? [fts(t, all)] : [];
    }),
    ...p.clauses
      .filter((ms) => !tables.some((t) => ms.every((m) => m.table === t)))
      .map((ms) =>
        tables
          .flatMap((t) => {
            const own = ms.filter((m) => m.table === t);
            return own.length > 0 ? [fts(t, narrowed(t, anyOf(own)))] : [];
          })
          .join(" UNION "),
      ),
  ];
  const [driver, ...filters] = sets;
  const wholeSets = tables.flatMap((t) => {
    const own = p.whole.filter((m) => m.table === t);
    return own.length > 0 ? [fts(t, anyOf(own))] : [];
  });
  // The other sets are collected first (an IN over an FTS5 query would be run as an FTS5 lookup per row), and `+rowid`
  // keeps SQLite from handing the IN to FTS5 (which would look each rowid up in the index).
  const everyTerm = driver
    ? `SELECT rowid AS rid FROM (${driver})${filters.length > 0 ? ` WHERE ${filters.map((_, i) => `+rowid IN (SELECT rid FROM term_set${i})`).join(" AND ")}` : ""}`
    : "";
  const termSets = filters.map((f, i) => `term_set${i} AS MATERIALIZED (SELECT rowid AS rid FROM (${f})),\n`).join("");
  // The candidates: documents matching every term, or a synonym of the whole query.
  const cand = [everyTerm, ...wholeSets.map((w) => `SELECT rowid AS rid FROM (${w})`)].filter(Boolean).join(" UNION ");

  // Each lookup's candidates in the title and anywhere: (rid, clause, w: its weight, t: in the title, whole: t and
  // the lookup is the whole query). Narrowed to the other terms inside FTS5 unless a synonym of the whole query
  // stands for them.
  const single = p.terms.length === 1 && p.terms[0]?.text === p.q;
  const narrow = (t: Table, match: string, clause: number) =>
    p.whole.length === 0 ? narrowed(t, match, clause) : match;
  const hitSelects = (m: Matcher, clause: number, whole: boolean) =>
    [true, false].map(
      (inTitle) => `SELECT rowid AS rid, ${clause} AS clause, ${args.bind(m.weight)} AS w, ${inTitle ? 1 : 0} AS t,
    ${whole && inTitle ? 1 : 0} AS whole FROM (${fts(m.table, clause === -2 ? (inTitle ? `{title} : (${m.match})` : m.match) : narrow(m.table, inTitle ? `{title} : (${m.match})` : m.match, clause), true)}) WHERE +rowid IN (SELECT rid FROM cand)`,
    );
  // A term of one lookup matches every candidate (unless a synonym of the whole query let some in): only whether in
  // the title is asked of FTS5.
  const titleOnly = (m: Matcher, clause: number, whole: boolean) =>
    `SELECT rid, ${clause} AS clause, ${args.bind(m.weight)} AS w, t, ${whole ? "t" : "0"} AS whole
    FROM (SELECT rid, rid IN (${fts(m.table, narrow(m.table, `{title} : (${m.match})`, clause), true)}) AS t FROM cand${top ? ` WHERE NOT ${full}` : ""})`;
  const hits = [
    ...p.clauses.flatMap((matchers, i) =>
      matchers.length === 1 && p.whole.length === 0
        ? matchers.map((m) => titleOnly(m, i, single))
        : matchers.flatMap((m, j) => hitSelects(m, i, single && j === 0)),
    ),
    ...p.whole.flatMap((m) => hitSelects(m, -2, false)),
  ];
  const phrase = !single && p.phrase ? `max(rid IN (${fts(p.phrase.table, p.phrase.match, true)}))` : "max(whole)";
  // A synonym of the whole query stands for all its terms.
  const weight = `w * CASE clause WHEN -2 THEN ${Math.max(1, p.clauses.length)} ELSE 1 END * ${TERM_SCORE} * CASE WHEN t THEN ${TITLE_FACTOR} ELSE 1.0 END`;
  const general = `${termSets}cand AS MATERIALIZED (${cand}),
hits AS MATERIALIZED (${hits.join("\n  UNION ALL ")}),
best AS (SELECT rid, clause, max(${weight}) AS score, max(whole) AS whole FROM hits GROUP BY rid, clause),
matched AS MATERIALIZED (SELECT rid, sum(score) AS text_score, ${phrase} AS phrase FROM best GROUP BY rid)`;
  if (!windowed) {
    return { ctes: `${general},\nranked AS (SELECT * FROM matched)`, total: "(SELECT count(*) FROM scored)" };
  }
  if (!top) {
    return {
      ctes: `${general},
ranked AS MATERIALIZED (SELECT * FROM matched ORDER BY text_score DESC, rid DESC LIMIT ${RANK_WINDOW})`,
      total: upToBound("SELECT 1 FROM cand"),
    };
  }
  const topPhrase = p.phrase
    ? `rid IN (SELECT rowid FROM search_${p.phrase.table} WHERE search_${p.phrase.table} MATCH ${args.bind(p.phrase.match)}
      AND rowid >= (SELECT min(rid) FROM top) AND rowid < ${hi})`
    : "0";
  return {
    ctes: `top AS MATERIALIZED (SELECT rowid AS rid FROM ${top.table} WHERE ${top.table} MATCH ${args.bind(top.match)} AND ${range}
  ORDER BY rowid DESC LIMIT ${RANK_WINDOW}),
${general},
ranked AS MATERIALIZED (SELECT * FROM (SELECT rid, ${args.bind(top.score)} AS text_score, ${topPhrase} AS phrase FROM top
    WHERE ${full}
  UNION ALL SELECT * FROM matched) ORDER BY text_score DESC, rid DESC LIMIT ${RANK_WINDOW})`,
    total: upToBound("SELECT 1 FROM cand"),
  };
}

/**
 * The RANK_WINDOW best matches of a one-term query without collecting every match: each of the term's lookups
 * (as typed, its Chinese pieces, its synonyms, its typo corrections) gives two score tiers, in the title and in the
 * body only, read best score first, newest first, and FTS5 stops each at RANK_WINDOW. A tier is read only while the
 * tiers above it hold fewer than RANK_WINDOW (then they hold every match they can, so a row's tier is its best
 * lookup: the rows of the tiers above are left out). Collecting thousands of rowids into a temporary table costs far
 * more than finding them. The same window, scores and phrase flag as the general path; null when the query has
 * several terms (the general path).
 */
function tieredSql(p: Plan, lo: string, hi: string, args: Args): { ctes: string; total: string } | null {
  const [term] = p.terms;
  const [clause, ...others] = p.clauses;
  if (!term || !clause || others.length > 0 || term.text !== p.q) return null;
  const [exact] = clause;
  const lookups = [...clause, ...p.whole];
  const tiers = lookups
    .flatMap((m) =>
      [true, false].map((inTitle) => ({ m, inTitle, score: m.weight * TERM_SCORE * (inTitle ? TITLE_FACTOR : 1) })),
    )
    .sort((a, b) => b.score - a.score);
  const window = String(RANK_WINDOW);
  const ctes = tiers.map(({ m, inTitle, score }, i) => {
    const table = `search_${m.table}`;
    const above = tiers.slice(0, i).map((_, j) => `tier${j}`);
    // In the body only: anywhere, less the tiers above (complete when this one is read, the lookup's title tier
    // among them), which FTS5 finds faster than a NOT of the title.
    const match = args.bind(inTitle ? `{title} : (${m.match})` : m.match);
    // A tier not to be read matches the empty phrase: FTS5 reads nothing (an empty rowid range still loads every
    // term's whole list, and a condition beside the MATCH would be checked only after FTS5 had found every match).
    const read =
      above.length > 0
        ? `CASE WHEN ${above.map((n) => `(SELECT count(*) FROM ${n})`).join(" + ")} < ${window} THEN ${match} ELSE '""' END`
        : match;
    const exclude =
      above.length > 0 ? ` AND rowid NOT IN (${above.map((n) => `SELECT rid FROM ${n}`).join(" UNION ALL ")})` : "";
    return `tier${i} AS MATERIALIZED (SELECT rowid AS rid, ${args.bind(score)} AS text_score,
    ${inTitle && m === exact ? 1 : 0} AS phrase FROM ${table}
  WHERE ${table} MATCH ${read} AND rowid >= ${lo} AND rowid < ${hi}${exclude}
  ORDER BY rowid DESC LIMIT ${window})`;
  });
  // The matches, each counted once (up to COUNT_BOUND): per FTS5 table one query of all its lookups.
  const byTable = (["trigram", "words"] as const).flatMap((t) => {
    const ms = lookups.filter((m) => m.table === t);
    return ms.length > 0
      ? [
          `SELECT rowid FROM search_${t} WHERE search_${t} MATCH ${args.bind(ms.map((m) => `(${m.match})`).join(" OR "))}
      AND rowid >= ${lo} AND rowid < ${hi}`,
        ]
      : [];
  });
  return {
    ctes: `${ctes.join(",\n")},
ranked AS MATERIALIZED (SELECT * FROM (${tiers.map((_, i) => `SELECT * FROM tier${i}`).join(" UNION ALL ")})
  ORDER BY text_score DESC, rid DESC LIMIT ${window})`,
    total: upToBound(byTable.join(" UNION ")),
  };
}

interface SortSpec {
  key: string;
  desc: boolean;
}

const sortSpecs: Record<Sort, SortSpec> = {
  relevance: { key: "score", desc: true },
  newest: { key: "id", desc: true },
  price_asc: { key: "price", desc: false },
  price_desc: { key: "price", desc: true },
  sales: { key: "sales", desc: true },
};

// A product's lowest SKU unit price (shared/pricing.ts: a campaign's on its main day, else the list price) and
// whether any SKU is in stock, for the product `p`: in `docs` only when a sort or filter needs them for every match;
// the page gets them (and the rest of what it shows) for its own rows only.
const lowestPrice = (p: string) =>
  `coalesce((SELECT min(${unitPriceSql("s")}) FROM skus s WHERE s.product_id = ${p}.id), 0)`;
// The campaign badge a product shows (from the warm-up to the end; the earliest main day first), as JSON.
const campaignBadge = (p: string) => `(SELECT json_object('id', c.id, 'name', c.name, 'badge', c.badge,
    'warmupStartsAt', c.warmup_starts_at, 'presaleStartsAt', c.presale_starts_at, 'mainStartsAt', c.main_starts_at,
    'endsAt', c.ends_at)
  FROM campaign_products cp JOIN campaigns c ON c.id = cp.campaign_id
  WHERE cp.product_id = ${p}.id AND c.warmup_starts_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    AND c.ends_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  ORDER BY c.main_starts_at LIMIT 1)`;
const inStock = (p: string) => `EXISTS (SELECT 1 FROM skus WHERE product_id = ${p}.id AND stock > 0)`;

// Products on the shelf of a session on air: a few rows, looked up once a search (live_sessions_status index).
const liveProducts = `live_products AS MATERIALIZED (SELECT lp.product_id FROM live_sessions l
  JOIN live_session_products lp ON lp.session_id = l.id WHERE l.status = 'live')`;

/** The CTE `docs`: each ranked match of the type, its filters applied, with what it is scored, faceted, sorted by. */
function docsSql(input: SearchInput, since: string, args: Args): string {
  const { type, filters: f } = input;
  const where = (conditions: string[]) => {
    const set = conditions.filter(Boolean);
    return set.length > 0 ? `WHERE ${set.join(" AND ")}` : "";
  };
  // CROSS JOIN fixes the order: from the ranked matches to their search_documents rows (the signals and facet
  // columns, kept there by the index triggers), then whatever a filter or sort needs of the product's own rows.
  const join = "FROM ranked m CROSS JOIN search_documents d ON d.id = m.rid";
  if (type === "products") {
    const byPrice = input.sort === "price_asc" || input.sort === "price_desc";
    return `${liveProducts},
docs AS MATERIALIZED (SELECT b.*, ${byPrice ? lowestPrice("b") : "0"} AS price,
    ${f.inStock !== undefined ? inStock("b") : "0"} AS in_stock
  FROM (SELECT d.doc_id AS id, d.owner_id AS merchant_id, d.brand, d.category, d.created_day, m.text_score,
    m.phrase,
    coalesce((SELECT sum(units) FROM search_product_sales WHERE product_id = d.doc_id AND day >= ${args.bind(since)}), 0) AS sales,
    0 AS engagement,
    coalesce((SELECT follower_count FROM merchants WHERE id = d.owner_id), 0) AS followers,
    d.doc_id IN (SELECT product_id FROM live_products) AS live_now
  ${join}
  ${where([
    f.merchantId !== undefined ? `d.owner_id = ${args.bind(f.merchantId)}` : "",
    f.category !== undefined ? `d.category = ${args.bind(f.category)}` : "",
    f.brand !== undefined ? `d.brand = ${args.bind(f.brand)}` : "",
  ])}) AS b
  ${where([
    f.minPrice !== undefined || f.maxPrice !== undefined
      ? `EXISTS (SELECT 1 FROM skus s WHERE s.product_id = b.id${f.minPrice !== undefined ? ` AND ${unitPriceSql("s")} >= ${args.bind(f.minPrice)}` : ""}${f.maxPrice !== undefined ? ` AND ${unitPriceSql("s")} <= ${args.bind(f.maxPrice)}` : ""})`
      : "",
  ])})`;
  }
  if (type === "notes") {
    return `docs AS MATERIALIZED (
  SELECT d.doc_id AS id, d.owner_id AS creator_id, d.topics, d.created_day, m.text_score, m.phrase,
    0 AS price, 0 AS sales, d.engagement, coalesce((SELECT follower_count FROM creators WHERE id = d.owner_id), 0) AS followers,
    0 AS live_now
  ${join}
  ${where([
    f.creatorId !== undefined ? `d.owner_id = ${args.bind(f.creatorId)}` : "",
    f.topic !== undefined ? `EXISTS (SELECT 1 FROM json_each(d.topics) WHERE value = ${args.bind(f.topic)})` : "",
  ])})`;
  }
  return `docs AS MATERIALIZED (
  SELECT l.id, l.host_type, l.creator_id, l.merchant_id, l.status, l.scheduled_start_at, l.started_at, l.cover_url,
    d.created_day, m.text_score, m.phrase, 0 AS price, 0 AS sales, 0 AS engagement,
    coalesce(c.follower_count, mer.follower_count, 0) AS followers, l.status = 'live' AS live_now
  ${join}
  CROSS JOIN live_sessions l ON l.id = d.doc_id AND l.status != 'cancelled'
  LEFT JOIN creators c ON c.id = l.creator_id
  LEFT JOIN merchants mer ON mer.id = l.merchant_id
  ${where([
    f.merchantId !== undefined ? `l.merchant_id = ${args.bind(f.merchantId)}` : "",
    f.creatorId !== undefined ? `l.creator_id = ${args.bind(f.creatorId)}` : "",
  ])})`;
}

/** The page's rows (`pg`, from `scored`) joined to their own row `x`: what a hit shows besides its score. */
const pageSources: Record<SearchType, { table: string; title: string; body: string; fields: string }> = {
  products: {
    table: "products",
    title: "x.title",
    body: "substr(x.description, 1, 2000)",
    fields: `'merchantId', pg.merchant_id, 'brand', pg.brand, 'category', pg.category,
    'images', json(x.images), 'price', ${lowestPrice("pg")},
    'maxPrice', coalesce((SELECT max(price_amount) FROM skus WHERE product_id = pg.id), 0),
    'currency', (SELECT currency FROM skus WHERE product_id = pg.id LIMIT 1), 'inStock', ${inStock("pg")},
    'liveNow', pg.live_now, 'sales', pg.sales, 'campaign', json(${campaignBadge("pg")})`,
  },
  notes: {
    table: "notes",
    title: "x.title",
    body: "substr(x.body, 1, 2000)",
    fields: `'creatorId', pg.creator_id, 'images', json(x.images), 'topics', json(x.topics),
    'likeCount', x.like_count, 'saveCount', x.save_count, 'paidPartnership', json(${paidPartnershipSql("x.id")})`,
  },
  live: {
    table: "live_sessions",
    title: "x.title",
    body: `coalesce((SELECT name FROM creators WHERE id = x.creator_id), (SELECT name FROM merchants WHERE id = x.merchant_id), '')`,
    fields: `'hostType', pg.host_type, 'creatorId', pg.creator_id, 'merchantId', pg.merchant_id, 'status', pg.status,
    'scheduledStartAt', pg.scheduled_start_at, 'startedAt', pg.started_at, 'coverUrl', pg.cover_url,
    'liveNow', pg.live_now`,
  },
};

/** Julian day number of an instant (what julianday() gives), for recency against search_documents.created_day. */
const julianDay = (iso: string) => Date.parse(iso) / 86_400_000 + 2_440_587.5;

function scoreSql(r: Ranking, now: string, args: Args): string {
  const b = (v: number | string) => args.bind(v);
  return `round(${b(r.text)} * text_score + ${b(r.phrase)} * phrase
    + ${b(r.sales)} * (sales * 1.0 / (sales + ${b(r.salesHalf)}))
    + ${b(r.engagement)} * (engagement * 1.0 / (engagement + ${b(r.engagementHalf)}))
    + ${b(r.followers)} * (followers * 1.0 / (followers + ${b(r.followersHalf)}))
    + ${b(r.recency)} * (1.0 / (1.0 + max(0.0, ${b(julianDay(now))} - created_day) / ${b(r.recencyHalfLifeDays)}))
    + ${b(r.live)} * live_now, 6)`;
}

/** Whether a search ranks a window and counts up to COUNT_BOUND: relevance, products or notes, no filter. */
export const windowed = (input: SearchInput) =>
  input.sort === "relevance" &&
  input.type !== "live" &&
  Object.values(input.filters).every((value) => value === undefined);

/**
 * The main statement: match, filter, score, count, facet and page in one statement, each match collected once
 * (materialised CTEs). Null when nothing can match (a query of only symbols or punctuation, which does not mean
 * "everything").
 */
export function mainStatement(
  p: Plan,
  input: SearchInput,
  cursor: Cursor | undefined,
  now: string,
): InStatement | null {
  if (p.q && p.clauses.length === 0 && p.whole.length === 0) return null;
  const since = new Date(Date.parse(now) - 30 * 86_400_000).toISOString().slice(0, 10);
  const args = new Args();
  const { ctes, total } = matchSql(p, input.type, windowed(input), args);
  const docs = docsSql(input, since, args);
  const score = scoreSql(p.ranking, now, args);
  const computed = [
    input.filters.inStock !== undefined ? `in_stock = ${input.filters.inStock ? 1 : 0}` : "",
    input.filters.liveNow !== undefined ? `live_now = ${input.filters.liveNow ? 1 : 0}` : "",
  ].filter(Boolean);
  const spec = sortSpecs[input.sort];
  const dir = spec.desc ? "DESC" : "ASC";
  const cmp = spec.desc ? "<" : ">";
  const order = (t = "") => (spec.key === "id" ? `${t}id ${dir}` : `${t}${spec.key} ${dir}, ${t}id ${dir}`);
  let after = "";
  if (cursor) {
    after =
      spec.key === "id"
        ? `WHERE id ${cmp} ${args.bind(cursor.id)}`
        : `WHERE (${spec.key} ${cmp} ${args.bind(cursor.v)} OR (${spec.key} = ${args.bind(cursor.v)} AND id ${cmp} ${args.bind(cursor.id)}))`;
  }
  const facets = Object.values(facetColumns[input.type]).map(({ column, array }) => {
    const values = array
      ? `SELECT e.value AS v FROM scored, json_each(scored.${column}) e`
      : `SELECT ${column} AS v FROM scored`;
    return `json((SELECT json_group_array(json_object('value', v, 'count', n)) FROM (SELECT v, count(*) AS n FROM (${values}) WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT 20)))`;
  });
  const source = pageSources[input.type];
  const sql = `WITH ${ctes},
${docs},
scored AS MATERIALIZED (SELECT *, ${score} AS score FROM docs${computed.length > 0 ? ` WHERE ${computed.join(" AND ")}` : ""})
SELECT ${total} AS total, json_array(${facets.join(", ")}) AS facets,
  (SELECT json_group_array(json(item) ORDER BY rn) FROM (
    SELECT row_number() OVER (ORDER BY ${order("pg.")}) AS rn, json_object('id', pg.id, 'title', ${source.title},
      'body', ${source.body}, 'score', pg.score, 'sortValue', pg.${spec.key}, 'createdAt', x.created_at,
      ${source.fields}) AS item
    FROM (SELECT * FROM scored ${after} ORDER BY ${order()} LIMIT ${args.bind(input.limit + 1)}) AS pg
    CROSS JOIN ${source.table} x ON x.id = pg.id)) AS page`;
  return { sql, args: args.values as InArgs };
}
