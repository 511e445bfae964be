// Reads the runnable parts of a Markdown page: its `export` lines and curl calls (```sh blocks), the answer each call
// is shown to give (the ```http block after it: a status line, a blank line, abridged JSON), and the values a reader
// is told to keep (`<!-- capture NAME=path … -->`, a path of keys and indexes into the answer, like `skus.0.id`).

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface CallStep {
  kind: "call";
  /** The curl command as the page writes it. */
  text: string;
  line: number;
  expected?: { status: number; body?: unknown };
  /** Variable name → path into the answer. */
  captures: Record<string, string>;
}

export type Step = { kind: "export"; name: string; value: string } | CallStep;

/** Splits one shell command into words: '…' literal, "…" with \" \\ \$ escapes, $NAME expanded from `vars`. */
export function shellWords(command: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (text: string, at: number): [string, number] => {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + 1))?.[0];
    if (!name) return ["$", at + 1];
    const value = vars[name];
    if (value === undefined) throw new Error(`$${name} is used before the page sets it`);
    return [value, at + 1 + name.length];
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "#" && word === undefined) {
      break; // a comment to the end of the line
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${command}`);
      word = (word ?? "") + command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word ??= "";
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === "\\" && /["\\$]/.test(command[i + 1] ?? "")) {
          word += command[i + 1];
          i += 2;
        } else if (command[i] === "$") {
          const [value, next] = expand(command, i);
          word += value;
          i = next;
        } else {
          word += command[i];
          i++;
        }
      }
      if (i >= command.length) throw new Error(`unclosed " in: ${command}`);
      i++;
    } else if (c === "$") {
      const [value, next] = expand(command, i);
      word = (word ?? "") + value;
      i = next;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function parseCurl(words: string[], line: number): Call {
  const call: Call = { method: "GET", url: "", headers: {} };
  let method: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    const next = () => {
      const value = words[++i];
      if (value === undefined) throw new Error(`line ${line}: ${word} needs a value`);
      return value;
    };
    if (word === "-s" || word === "--silent") continue;
    if (word === "-X" || word === "--request") method = next();
    else if (word === "-H" || word === "--header") {
      const header = next();
      const colon = header.indexOf(":");
      call.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (word === "-d" || word === "--data") call.body = next();
    else if (/^https?:\/\//.test(word)) call.url = word;
    else throw new Error(`line ${line}: curl option ${word} is not one this reader knows`);
  }
  call.method = method ?? (call.body === undefined ? "GET" : "POST");
  if (!call.url) throw new Error(`line ${line}: curl without a URL`);
  return call;
}

/** Whether a command ends inside a quote (its next line belongs to the same word). */
function endsInQuote(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (quote === '"') {
      if (c === "\\") i++;
      else if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
  }
  return quote !== undefined;
}

/** The page's steps in order; `$NAME` in a command is expanded when the step runs (`callOf`). */
export function readPage(markdown: string): Step[] {
  const lines = markdown.split("\n");
  const steps: Step[] = [];
  let last: CallStep | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const capture = /^<!-- capture (.+) -->$/.exec(line.trim());
    if (capture) {
      if (!last) throw new Error(`line ${i + 1}: a capture with no call before it`);
      for (const pair of (capture[1] as string).split(/\s+/)) {
        const [name, path] = pair.split("=");
        if (!name || !path) throw new Error(`line ${i + 1}: capture ${pair} is not NAME=path`);
        last.captures[name] = path;
      }
      continue;
    }
    const fence = /^```(\S*)/.exec(line);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] as string).startsWith("```")) end++;
    const block = lines.slice(start, end);
    i = end;
    if (fence[1] === "sh") {
      for (let j = 0; j < block.length; j++) {
        const first = j;
        let text = block[j] as string;
        // One command: a trailing backslash continues it, and so does an open quote.
        for (;;) {
          if (text.endsWith("\\") && j + 1 < block.length) text = `${text.slice(0, -1)} ${block[++j]}`;
          else if (endsInQuote(text) && j + 1 < block.length) text = `${text}\n${block[++j]}`;
          else break;
        }
        const exported = /^export ([A-Za-z_][A-Za-z0-9_]*)=(\S+)/.exec(text.trim());
        if (exported) steps.push({ kind: "export", name: exported[1] as string, value: exported[2] as string });
        else if (text.trim().startsWith("curl ")) {
          last = { kind: "call", text: text.trim(), line: start + first + 1, captures: {} };
          steps.push(last);
        }
      }
    } else if (fence[1] === "http" && last && !last.expected) {
      const status = /^HTTP\/[\d.]+ (\d{3})/.exec(block[0] ?? "");
      if (!status) throw new Error(`line ${start}: an http answer starts with its status line`);
      const text = block.slice(1).join("\n").trim();
      last.expected = { status: Number(status[1]), body: text ? JSON.parse(text) : undefined };
    }
  }
  return steps;
}

/** A call's words, with the page's variables as they stand when it runs. */
export function callOf(text: string, line: number, vars: Record<string, string>): Call {
  return parseCurl(shellWords(text, vars), line);
}

/**
 * Whether `actual` answers what the page shows: every field shown is there with the value shown; a string ending in
 * "…" stands for any string that starts with what comes before it; `$NAME` is a value the page kept.
 */
export function mismatch(expected: unknown, actual: unknown, vars: Record<string, string>, at = ""): string | null {
  if (typeof expected === "string") {
    const want = expected.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => vars[name] ?? `$${name}`);
    if (typeof actual !== "string") return `${at || "/"}: expected a string, got ${JSON.stringify(actual)}`;
    if (want.endsWith("…"))
      return actual.startsWith(want.slice(0, -1))
        ? null
        : `${at}: ${JSON.stringify(actual)} does not start with ${JSON.stringify(want.slice(0, -1))}`;
    return actual === want ? null : `${at}: expected ${JSON.stringify(want)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length < expected.length)
      return `${at}: expected at least ${expected.length} items, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const problem = mismatch(expected[i], actual[i], vars, `${at}/${i}`);
      if (problem) return problem;
    }
    return null;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object")
      return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const problem = mismatch(value, (actual as Record<string, unknown>)[key], vars, `${at}/${key}`);
      if (problem) return problem;
    }
    return null;
  }
  return Object.is(expected, actual)
    ? null
    : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** The value at a capture's path (`skus.0.id`). */
export function valueAt(value: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );
}

/** GitHub's anchors for a page's headings: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (heading as string).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*_]/g, "");
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}
