// The query plan: what the query itself says (terms, words that may be typos) and what the planning statements read
// (weights, synonyms, typo corrections) become the FTS5 lookups that satisfy each term, and the words to highlight.
import type { InStatement, ResultSet } from "@libsql/client";
import { RANKING_SETTING, type Ranking, rankingFrom } from "../settings/ranking.ts";
import {
  editDistance,
  fold,
  type Matcher,
  matcherFor,
  normaliseQuery,
  prefixEnd,
  type Term,
  termMatchers,
  termsOf,
  typoEligible,
  typoLengths,
} from "./query.ts";

export interface Plan {
  q: string;
  terms: Term[];
  /** Per term: the lookups any of which satisfies it. */
  clauses: Matcher[][];
  /** Lookups that satisfy the whole query (synonyms of the whole query). */
  whole: Matcher[];
  phrase: Matcher | null;
  ranking: Ranking;
  corrections: Record<string, string[]>;
  synonyms: string[];
  needles: string[];
}

const MAX_CORRECTIONS = 4;

/** Typo candidates keep this many first letters, or are one of earlyEdits. */
const PREFIX_KEPT = 3;
const EDIT_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The words one edit (deletion, transposition, substitution, insertion) from `word` in its letters 2..PREFIX_KEPT. */
function earlyEdits(word: string): string[] {
  const chars = [...word];
  const letters = [...new Set([...EDIT_LETTERS, ...chars])];
  const edits = new Set<string>();
  for (let p = 1; p < Math.min(PREFIX_KEPT, chars.length); p++) {
    const [before, at, after] = [chars.slice(0, p).join(""), chars[p] ?? "", chars.slice(p + 1).join("")];
    edits.add(before + after);
    if (after) edits.add(before + (chars[p + 1] ?? "") + at + chars.slice(p + 2).join(""));
    for (const c of letters) {
      edits.add(before + c + after);
      edits.add(before + c + at + after);
    }
  }
  edits.delete(word);
  return [...edits];
}

/** What the query itself says (no database): its normalised text, terms, and the words that may be typos. */
export interface Analysis {
  q: string;
  terms: Term[];
  typoTerms: Term[];
  /** The statements that read what the plan needs: weights, synonyms, typo candidates and whether each word is known. */
  statements: InStatement[];
}

export function analyse(rawQuery: string): Analysis {
  const q = normaliseQuery(rawQuery);
  const terms = q ? termsOf(q) : [];
  const keys = [...new Set([q, ...q.split(" "), ...terms.map((t) => t.text)])].filter((k) => k.length > 0);
  const typoTerms = terms.filter(typoEligible);
  const statements: InStatement[] = [
    { sql: "SELECT value FROM search_settings WHERE name = ?", args: [RANKING_SETTING] },
    keys.length > 0
      ? {
          sql: `SELECT s.term AS key, o.term AS synonym FROM search_synonyms s JOIN search_synonyms o ON o.set_name = s.set_name AND o.term <> s.term WHERE s.term IN (${keys.map(() => "?").join(", ")})`,
          args: keys,
        }
      : "SELECT NULL AS key, NULL AS synonym WHERE 0",
  ];
  for (const term of typoTerms) {
    const word = fold(term.text);
    const [shortest, longest] = typoLengths(term);
    // The first letter is assumed right. A word one edit away with the edit past the third letter shares the first
    // three (a narrow range of the vocabulary); one with the edit in the second or third letter is one of a few
    // hundred words, each looked up (fts5vocab counts a term's documents as it reads it: scanning every word of a
    // letter costs ten milliseconds and more at 200,000 documents). Neither for a word the index knows.
    const prefix = [...word].slice(0, PREFIX_KEPT).join("");
    const known = "EXISTS (SELECT 1 FROM search_words_vocab WHERE term >= ? AND term < ?)";
    const near = earlyEdits(word).filter((w) => {
      const n = [...w].length;
      return n >= shortest && n <= longest;
    });
    statements.push({
      sql: `SELECT term, doc FROM search_words_vocab WHERE term >= ? AND term < CASE WHEN ${known} THEN ? ELSE ? END
          AND length(term) BETWEEN ? AND ?
        UNION SELECT v.term, v.doc FROM (SELECT NOT ${known} AS unknown) u CROSS JOIN search_words_vocab v
          WHERE u.unknown AND v.term IN (${near.map(() => "?").join(", ")})
        ORDER BY doc DESC LIMIT 200`,
      args: [
        prefix,
        word,
        prefixEnd(word),
        prefix,
        prefixEnd(prefix),
        shortest,
        longest,
        word,
        prefixEnd(word),
        ...near,
      ],
    });
    statements.push({
      sql: "SELECT count(*) AS known FROM (SELECT 1 FROM search_words_vocab WHERE term >= ? AND term < ? LIMIT 1)",
      args: [word, prefixEnd(word)],
    });
  }
  return { q, terms, typoTerms, statements };
}

/** What the planning statements found: the weights, each key's synonyms, each unknown word's corrections. */
export interface Found {
  ranking: Ranking;
  synonymsOf: Map<string, string[]>;
  corrections: Record<string, string[]>;
}

export function foundIn(a: Analysis, results: ResultSet[]): Found {
  const synonymsOf = new Map<string, string[]>();
  for (const row of results[1]?.rows ?? []) {
    const key = String(row.key);
    synonymsOf.set(key, [...(synonymsOf.get(key) ?? []), String(row.synonym)]);
  }
  // Keyed by what was typed: without a prototype, a word such as `constructor` or `__proto__` is a key like any other.
  const corrections: Record<string, string[]> = Object.create(null);
  a.typoTerms.forEach((term, i) => {
    const known = Number(results[3 + i * 2]?.rows[0]?.known ?? 0) > 0;
    if (known) return;
    const word = fold(term.text);
    const candidates = (results[2 + i * 2]?.rows ?? [])
      .map((row) => String(row.term))
      .filter((candidate) => candidate !== word && editDistance(word, candidate, 1) <= 1)
      .slice(0, MAX_CORRECTIONS);
    if (candidates.length > 0) corrections[term.text] = candidates;
  });
  return { ranking: rankingFrom(parseJson(results[0]?.rows[0]?.value)), synonymsOf, corrections };
}

/** The matchers for every term, from the analysis and what the planning statements found. */
export function planFrom({ q, terms }: Analysis, { ranking, synonymsOf, corrections }: Found): Plan {
  const wholeSynonyms = synonymsOf.get(q) ?? [];
  const clauses = terms.map((term) => {
    const matchers = termMatchers(term);
    if (term.text !== q) {
      for (const synonym of synonymsOf.get(term.text) ?? []) {
        const m = matcherFor(synonym, 0.8);
        if (m) matchers.push(m);
      }
    }
    // Own keys only: a word such as `constructor` is not Object.prototype's.
    const fixes = Object.hasOwn(corrections, term.text) ? corrections[term.text] : undefined;
    if (fixes) {
      matchers.push({
        table: "words",
        match: fixes.map((f) => `"${f.replaceAll('"', '""')}"`).join(" OR "),
        weight: 0.5,
      });
    }
    return matchers;
  });
  const whole = wholeSynonyms.flatMap((s) => matcherFor(s, 0.8) ?? []);
  const used = [...wholeSynonyms, ...terms.flatMap((t) => (t.text === q ? [] : (synonymsOf.get(t.text) ?? [])))];
  return {
    q,
    terms,
    // A term nothing can match (only symbols) never gets here: termsOf keeps letters and digits only.
    clauses: clauses.filter((c) => c.length > 0),
    whole,
    phrase: q ? matcherFor(q, 1, "title") : null,
    ranking,
    corrections,
    synonyms: [...new Set(used)],
    needles: [
      ...terms.map((t) => t.text),
      ...used,
      ...Object.values(corrections).flat(),
      ...(q.includes(" ") ? [q] : []),
    ],
  };
}

export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
