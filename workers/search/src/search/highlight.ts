// Highlighting in the Worker, over the stored text: FTS5's highlight() and snippet() work only on the table that
// matched, and search_words holds the text re-spaced (and both tables are contentless), so one matcher here serves
// trigram, single-character, prefix, typo and synonym matches alike. Case and diacritics are folded as FTS5 does.
import { fold } from "./query.ts";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

/** Character ranges [start, end) of `text` (in code points) where any needle occurs, merged. */
function matches(chars: string[], needles: string[]): [number, number][] {
  // Fold each character on its own, so folded positions map back to the original ones.
  const folded = chars.map((c) => fold(c));
  const starts: number[] = [];
  let flat = "";
  for (const [i, f] of folded.entries()) {
    starts[i] = flat.length;
    flat += f;
  }
  const toChar = (offset: number) => {
    let lo = 0;
    let hi = chars.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const ranges: [number, number][] = [];
  for (const needle of new Set(needles.map(fold).filter((n) => n.length > 0))) {
    let at = flat.indexOf(needle);
    while (at !== -1 && ranges.length < 200) {
      ranges.push([toChar(at), toChar(at + needle.length - 1) + 1]);
      at = flat.indexOf(needle, at + needle.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function mark(chars: string[], ranges: [number, number][], from: number, to: number): string {
  let out = "";
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    out += `${escapeHtml(chars.slice(at, s).join(""))}<mark>${escapeHtml(chars.slice(s, e).join(""))}</mark>`;
    at = e;
  }
  return out + escapeHtml(chars.slice(at, to).join(""));
}

/** The whole text, HTML-escaped, with every match in <mark>…</mark>. */
export function highlight(text: string, needles: string[]): string {
  const chars = [...text];
  return mark(chars, matches(chars, needles), 0, chars.length);
}

/** About `width` characters of the text around its first match (its start if none), escaped and marked. */
export function snippet(text: string, needles: string[], width = 64): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  const ranges = matches(chars, needles);
  const first = ranges[0]?.[0] ?? 0;
  const from = Math.max(0, Math.min(first - Math.floor(width / 4), chars.length - width));
  const to = Math.min(chars.length, from + width);
  return `${from > 0 ? "…" : ""}${mark(chars, ranges, from, to)}${to < chars.length ? "…" : ""}`;
}
