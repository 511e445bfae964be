// Prefixed ids sortable by creation time (shared/API.md): `<prefix>_` + 10 chars of milliseconds + 16 random, Crockford base32.
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

export function newId<P extends IdPrefix>(prefix: P, now: number = Date.now()): `${P}_${string}` {
  return `${prefix}_${encodeTime(now)}${randomChars(16)}`;
}

const idPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is an id of the given kind; used to reject foreign ids before touching the database. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`) && idPattern.test(value.slice(prefix.length + 1));
}
