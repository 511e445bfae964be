// Query analysis: a user's text becomes terms, and each term FTS5 match strings that are always quoted strings, so
// nothing a user types (quotes, *, ^, -, NEAR, AND/OR/NOT, parentheses, `column:`) is ever read as FTS syntax.

export const MAX_QUERY_CHARACTERS = 200;
/** Terms past this many are ignored (a 200-character query could otherwise make a 100-way join). */
export const MAX_TERMS = 8;
/** Latin words this long or longer may match with one edit (a typo), also from a query one letter shorter (serm). */
export const TYPO_MIN_LENGTH = 5;

/** NFKC, lower case, no control or format characters, single spaces: the form queries are logged and cached by. */
export function normaliseQuery(raw: string): string {
  return raw
    .normalize("NFKC")
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu, " ")
    .toLowerCase()
    .replace(/\s+/gu, " ")
    .trim();
}

/** Case and diacritics folded, as the FTS5 tokenizers fold them (for typo candidates and highlighting). */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

// Chinese, Japanese kana and CJK compatibility ideographs: the characters the index splits one per token.
// The same ranges as the search_index migration's triggers.
const cjkRanges: readonly (readonly [number, number])[] = [
  [0x3040, 0x30ff],
  [0x3400, 0x9fff],
  [0xf900, 0xfaff],
  [0x20000, 0x2fa1f],
];

export function isCjk(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return cjkRanges.some(([from, to]) => code >= from && code <= to);
}

export type Script = "cjk" | "latin";

export interface Term {
  /** Normalised text of the term: letters, digits and marks only, of one script. */
  text: string;
  script: Script;
  /** Length in characters (code points). */
  length: number;
}

/**
 * The terms of a normalised query: split at whitespace, punctuation and symbols (never operators), then where the
 * script changes between CJK and anything else ("lancome精华" is two terms). Duplicates dropped, at most MAX_TERMS.
 */
export function termsOf(query: string): Term[] {
  const terms: Term[] = [];
  const seen = new Set<string>();
  for (const word of query.split(/[^\p{L}\p{N}\p{M}]+/u)) {
    let run = "";
    let runScript: Script | null = null;
    const flush = () => {
      if (run && runScript && !seen.has(run)) {
        seen.add(run);
        terms.push({ text: run, script: runScript, length: [...run].length });
      }
      run = "";
    };
    for (const char of word) {
      const script: Script = isCjk(char) ? "cjk" : "latin";
      if (script !== runScript) flush();
      runScript = script;
      run += char;
    }
    flush();
  }
  return terms.slice(0, MAX_TERMS);
}

/** A text as one FTS5 string: double quotes doubled, the whole quoted. Never anything but a string. */
export function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** CJK characters spaced apart: the phrase search_words matches, whose tokens are single CJK characters. */
export function spacedPhrase(text: string): string {
  return ftsString([...text].join(" "));
}

export type Table = "trigram" | "words";

/** One FTS5 lookup: a MATCH string for one of the two tables, and the factor its bm25 score is weighted by. */
export interface Matcher {
  table: Table;
  match: string;
  weight: number;
}

/**
 * How one piece of text is looked up, anywhere in a document:
 * 3+ characters: trigram substring; 1–2 CJK characters: adjacent single-character tokens; 1–2 other characters:
 * a word prefix. Text that is only spaces, punctuation or symbols matches nothing (null).
 */
export function matcherFor(text: string, weight = 1, column?: "title"): Matcher | null {
  const clean = text.trim();
  const chars = [...clean];
  const scope = column ? `{${column}} : ` : "";
  if (chars.length === 0 || !/[\p{L}\p{N}]/u.test(clean)) return null;
  if (chars.length >= 3) return { table: "trigram", match: `${scope}${ftsString(clean)}`, weight };
  if (chars.every(isCjk)) return { table: "words", match: `${scope}${spacedPhrase(clean)}`, weight };
  const word = clean.replace(/[^\p{L}\p{N}\p{M}]+/gu, " ").trim();
  if (!word) return null;
  return { table: "words", match: `${scope}${ftsString(word)} *`, weight };
}

/**
 * The lookups for one term. A CJK term of 3+ characters also matches its two-character pieces anywhere in the
 * document (兰蔻精华 finds 兰蔻小黑瓶精华), at a lower weight than the exact run.
 */
export function termMatchers(term: Term): Matcher[] {
  const exact = matcherFor(term.text);
  if (!exact) return [];
  if (term.script !== "cjk" || term.length < 3) return [exact];
  const chars = [...term.text];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += 2) pieces.push(spacedPhrase(chars.slice(i, i + 2).join("")));
  return [exact, { table: "words", match: pieces.join(" AND "), weight: 0.5 }];
}

/** Whether a term may be a typo of an indexed word: a Latin word at most one letter short of TYPO_MIN_LENGTH. */
export function typoEligible(term: Term): boolean {
  return term.script === "latin" && term.length >= TYPO_MIN_LENGTH - 1 && /^\p{L}+$/u.test(fold(term.text));
}

/** The lengths of the indexed words a term may be a typo of: one letter either way, never below TYPO_MIN_LENGTH. */
export function typoLengths(term: Term): [number, number] {
  return [term.length >= TYPO_MIN_LENGTH ? term.length - 1 : TYPO_MIN_LENGTH, term.length + 1];
}

/** Optimal-string-alignment distance, stopping early once it is over `max`. */
export function editDistance(a: string, b: string, max = 1): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        value = Math.min(value, (prevPrev[j - 2] ?? 0) + 1);
      }
      row.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[t.length] ?? max + 1;
}

/** The smallest string greater than every string starting with `prefix` (for a vocabulary range scan). */
export function prefixEnd(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop() ?? "";
  return chars.join("") + String.fromCodePoint((last.codePointAt(0) ?? 0) + 1);
}
