// The labelled set: a fixed catalogue (products and notes) and queries with the results a shopper expects in the top
// ten, written from what the words mean, not from what the engine returns. The recall test runs it through the
// search Worker; `npm run bench -- search` runs it through the gateway and through MiniSearch over the same
// documents. The set itself is plain data in labelled.json, read in workerd and in Node alike.
import labelled from "./labelled.json" with { type: "json" };

export interface LabelledProduct {
  key: string;
  title: string;
  brand: string | null;
  category: string;
  description: string;
  price: number;
}

export interface LabelledNote {
  key: string;
  title: string;
  body: string;
}

export type LabelledKind =
  | "chinese-1"
  | "chinese-2"
  | "chinese-long"
  | "english"
  | "english-prefix"
  | "mixed"
  | "typo"
  | "pinyin"
  | "pinyin-initials";

export interface LabelledQuery {
  q: string;
  type: "products" | "notes";
  kind: LabelledKind;
  /** Keys of the documents that must be in the top ten (at most ten). */
  expected: string[];
}

export const labelledProducts: LabelledProduct[] = labelled.products;
export const labelledNotes: LabelledNote[] = labelled.notes;
// A JSON import types `type` and `kind` as any string; the file holds only the values LabelledQuery names.
export const labelledQueries = labelled.queries as LabelledQuery[];

/** The topics a note's body gives it (#hashtags), as the notes API derives them. */
export function hashtags(body: string): string[] {
  return Array.from(body.matchAll(/#([\p{L}\p{N}_]{1,30})/gu), (m) => m[1] ?? "");
}

export interface RecallReport {
  /** Mean over the queries of the share of each one's expected documents in its top ten. */
  recall: number;
  byKind: Record<string, number>;
  /** One line per query that missed something: what was expected, what came. */
  misses: string[];
}

/** Recall@10 of an engine's answers: `answers[i]` holds the document keys returned for labelledQueries[i]. */
export function recallAt10(answers: string[][]): RecallReport {
  const sums: Record<string, { total: number; n: number }> = {};
  const misses: string[] = [];
  let total = 0;
  labelledQueries.forEach((query, i) => {
    const top = (answers[i] ?? []).slice(0, 10);
    const missing = query.expected.filter((key) => !top.includes(key));
    const recall = 1 - missing.length / query.expected.length;
    total += recall;
    const name = `${query.type}/${query.kind}`;
    const kind = sums[name] ?? { total: 0, n: 0 };
    sums[name] = { total: kind.total + recall, n: kind.n + 1 };
    if (missing.length > 0) {
      misses.push(
        `${query.type} "${query.q}" (${query.kind}): missed ${missing.join(", ")}; top 10: ${top.join(", ")}`,
      );
    }
  });
  return {
    recall: total / labelledQueries.length,
    byKind: Object.fromEntries(Object.entries(sums).map(([kind, { total, n }]) => [kind, total / n])),
    misses,
  };
}
