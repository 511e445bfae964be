// The pinyin the search index holds beside a title, so `xiaoheiping` and `xhp` find 小黑瓶. The writers (catalog,
// live) store it with the title in the same statement, and the index triggers add it to the indexed title; the
// search Worker's reindex fills rows written before it existed. pinyin-pro segments words, so heteronyms read as
// they are said (银行 yinhang, 重庆 chongqing).
import { pinyin } from "pinyin-pro";

/**
 * For each run of Chinese characters, its syllables joined and their initials: "兰蔻 小黑瓶" → "lankou lk xiaoheiping
 * xhp". Empty for a text without Chinese (a computed value, unlike null, which means "not computed yet").
 */
export function searchPinyin(text: string): string {
  const words = new Set<string>();
  for (const [run] of text.matchAll(/\p{Script=Han}+/gu)) {
    const syllables = pinyin(run, { toneType: "none", type: "array", v: true });
    words.add(syllables.join(""));
    if (syllables.length > 1) words.add(syllables.map((s) => s.charAt(0)).join(""));
  }
  return [...words].join(" ");
}
