// The search Worker's query analysis, on its own: terms, FTS5 strings that stay strings, typo distance, highlights.
import { describe, expect, it } from "vitest";
import { highlight, snippet } from "../../workers/search/src/search/highlight.ts";
import {
  editDistance,
  ftsString,
  matcherFor,
  normaliseQuery,
  termMatchers,
  termsOf,
  typoEligible,
  typoLengths,
} from "../../workers/search/src/search/query.ts";

describe("search query analysis", () => {
  it("normalises (NFKC, lower case, spaces) and splits at punctuation and between scripts", () => {
    expect(normaliseQuery("  ＬＡＮＣＯＭＥ\t精华\u200b ")).toBe("lancome 精华");
    expect(termsOf("lancome精华 01正红, title:abc -x").map((t) => t.text)).toEqual([
      "lancome",
      "精华",
      "01",
      "正红",
      "title",
      "abc",
      "x",
    ]);
    expect(termsOf('*** "" ( ^')).toEqual([]);
  });

  it("quotes every term as an FTS5 string", () => {
    expect(ftsString('a"b')).toBe('"a""b"');
    expect(matcherFor("农业")).toEqual({ table: "words", match: '"农 业"', weight: 1 });
    expect(matcherFor("霜")).toEqual({ table: "words", match: '"霜"', weight: 1 });
    expect(matcherFor("se")).toEqual({ table: "words", match: '"se" *', weight: 1 });
    expect(matcherFor("serum")).toEqual({ table: "trigram", match: '"serum"', weight: 1 });
    expect(matcherFor("a b", 1, "title")).toEqual({ table: "trigram", match: '{title} : "a b"', weight: 1 });
    expect(matcherFor("**")).toBeNull();
    const [cjk] = termsOf("兰蔻精华");
    expect(cjk && termMatchers(cjk).map((m) => m.match)).toEqual(['"兰蔻精华"', '"兰 蔻" AND "精 华"']);
  });

  it("measures one edit, transpositions included, and corrects only towards words of five letters or more", () => {
    expect(editDistance("lancme", "lancome")).toBe(1);
    expect(editDistance("serun", "serum")).toBe(1);
    expect(editDistance("sreum", "serum")).toBe(1);
    expect(editDistance("sarun", "serum")).toBe(2);
    expect(termsOf("sof serm serun 精华霜 ab12c").map(typoEligible)).toEqual([false, true, true, false, false]);
    expect(termsOf("serm serun").map(typoLengths)).toEqual([
      [5, 5],
      [4, 6],
    ]);
  });

  it("highlights folded matches, HTML-escaped", () => {
    expect(highlight("Lancôme <b> Génifique", ["lancome", "genif"])).toBe(
      "<mark>Lancôme</mark> &lt;b&gt; <mark>Génif</mark>ique",
    );
    expect(highlight("中国农业发展银行", ["农业"])).toBe("中国<mark>农业</mark>发展银行");
    expect(snippet(`${"长".repeat(100)}关键${"尾".repeat(100)}`, ["关键"], 20)).toBe(
      `…${"长".repeat(5)}<mark>关键</mark>${"尾".repeat(13)}…`,
    );
  });
});
