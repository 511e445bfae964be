// Prefixed ids sortable by creation time: `<prefix>_` + 10 chars of milliseconds + 16 random, Crockford base32
// (docs/api/conventions.md#ids).
export const idPrefixes = [
  "mer",
  "cre",
  "shp",
  "key",
  "prod",
  "sku",
  "note",
  "cmt",
  "live",
  "fs",
  "pre",
  "hold",
  "cart",
  "ord",
  "pay",
  "rfd",
  "ret",
  "cpn",
  "cmp",
  "whep",
  "msg",
  "evt",
  "req",
  "cat",
  "brand",
  "led",
  "ntf",
  "com",
  "att",
  "sav",
  "med",
  "afp",
  "smp",
  "clb",
  "cap",
  "cld",
] as const;
export type IdPrefix = (typeof idPrefixes)[number];

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = alphabet.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomChars(count: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(count));
  let out = "";
  for (const byte of bytes) out += alphabet.charAt(byte & 31);
  return out;
}

// Within one millisecond, ids from this isolate increase by one in their random part (as monotonic ULIDs do),
// so SKUs created together keep their order.
let lastTime = -1;
let lastRandom = "";

function increment(chars: string): string {
  const digits = chars.split("");
  for (let i = digits.length - 1; i >= 0; i--) {
    const value = alphabet.indexOf(digits[i] ?? "0");
    if (value < 31) {
      digits[i] = alphabet.charAt(value + 1);
      return digits.join("");
    }
    digits[i] = "0";
  }
  return randomChars(16); // 32^16 ids in one millisecond: overflow is not a practical case
}

export function newId<P extends IdPrefix>(prefix: P, now: number = Date.now()): `${P}_${string}` {
  lastRandom = now === lastTime ? increment(lastRandom) : randomChars(16);
  lastTime = now;
  return `${prefix}_${encodeTime(now)}${lastRandom}`;
}

const idPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is an id of the given kind; used to reject foreign ids before touching the database. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`) && idPattern.test(value.slice(prefix.length + 1));
}
