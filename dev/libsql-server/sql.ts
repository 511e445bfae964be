// Minimal SQLite lexer: splits SQL text into statements the way `sqlite3_complete()` decides where a
// statement ends (so `;` inside strings, comments and CREATE TRIGGER bodies does not split), and lists
// bound parameters. The `libsql` engine silently ignores everything after the first statement, so we
// need this to reject multi-statement `execute` (like sqld) and to run `sequence` one statement at a time.

type Token = "semi" | "ws" | "other" | "explain" | "create" | "temp" | "trigger" | "end";

// sqlite3_complete() state machine; rows are states, columns follow the `Token` order below.
const TOKEN_INDEX: Record<Token, number> = {
  semi: 0,
  ws: 1,
  other: 2,
  explain: 3,
  create: 4,
  temp: 5,
  trigger: 6,
  end: 7,
};
const TRANSITIONS: readonly (readonly number[])[] = [
  /* 0 INVALID */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 START   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 NORMAL  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 EXPLAIN */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 CREATE  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 TRIGGER */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 SEMI    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 END     */ [1, 7, 5, 5, 5, 5, 5, 5],
];
const KEYWORDS: Record<string, Token> = {
  explain: "explain",
  create: "create",
  temp: "temp",
  temporary: "temp",
  trigger: "trigger",
  end: "end",
};

function isIdChar(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
}

interface Lexeme {
  token: Token;
  start: number;
  end: number;
  param?: string; // "?", "?3", ":name", "@name", "$name"
}

function* lex(sql: string): Generator<Lexeme> {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const start = i;
    const c = sql.charAt(i);
    const next = sql.charAt(i + 1);
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      yield { token: "ws", start, end: i };
    } else if (c === "-" && next === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
      yield { token: "ws", start, end: i };
    } else if (c === "/" && next === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      yield { token: "ws", start, end: i };
    } else if (c === ";") {
      i++;
      yield { token: "semi", start, end: i };
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const quote = c === "[" ? "]" : c;
      i++;
      for (;;) {
        const q = sql.indexOf(quote, i);
        if (q < 0) {
          i = n;
          break;
        }
        i = q + 1;
        if (quote === "]" || sql.charAt(i) !== quote) break;
        i++; // doubled quote is an escaped quote
      }
      yield { token: "other", start, end: i };
    } else if (c === "?" || ((c === ":" || c === "@" || c === "$") && isIdChar(next))) {
      i++;
      while (i < n && (/[0-9]/.test(sql.charAt(i)) || (c !== "?" && isIdChar(sql.charAt(i))))) i++;
      yield { token: "other", start, end: i, param: sql.slice(start, i) };
    } else if (isIdChar(c)) {
      while (i < n && isIdChar(sql.charAt(i))) i++;
      yield { token: KEYWORDS[sql.slice(start, i).toLowerCase()] ?? "other", start, end: i };
    } else {
      i++;
      yield { token: "other", start, end: i };
    }
  }
}

export interface SqlStatement {
  /** Statement text without the trailing semicolon. */
  text: string;
  /** Parameter names by 1-based index minus one; `null` for anonymous `?` / `?NNN`. */
  params: (string | null)[];
  isExplain: boolean;
}

/** Split SQL into statements; empty statements (only whitespace, comments and `;`) are dropped. */
export function splitSql(sql: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let state = 0;
  let start = 0;
  let content = false;
  let firstWord: Token | undefined;
  let params: (string | null)[] = [];
  const named = new Map<string, number>();
  const finish = (end: number): void => {
    if (content) out.push({ text: sql.slice(start, end), params, isExplain: firstWord === "explain" });
    content = false;
    firstWord = undefined;
    params = [];
    named.clear();
  };
  for (const lx of lex(sql)) {
    const row = TRANSITIONS[state];
    state = row?.[TOKEN_INDEX[lx.token]] ?? 2;
    if (lx.token === "semi" && state === 1) {
      finish(lx.start);
      start = lx.end;
      continue;
    }
    if (lx.token === "ws" || lx.token === "semi") continue;
    if (!content) {
      content = true;
      start = lx.start;
      firstWord = lx.token;
    }
    if (lx.param !== undefined) addParam(lx.param, params, named);
  }
  finish(sql.length);
  return out;
}

// SQLite numbering: `?` takes the next index, `?NNN` is explicit, a name reuses its first index.
function addParam(p: string, params: (string | null)[], named: Map<string, number>): void {
  if (p === "?") {
    params.push(null);
  } else if (p.startsWith("?")) {
    const idx = Number(p.slice(1));
    while (params.length < idx) params.push(null);
  } else if (!named.has(p)) {
    params.push(p);
    named.set(p, params.length);
  }
}
