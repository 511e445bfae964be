// Which URLs a webhook may be sent to (against server-side request forgery): https only, no userinfo, no IP literal
// in a private, loopback, link-local, CGNAT, multicast, reserved or unspecified range (IPv4, IPv6 and embedded
// forms), no metadata address, no localhost/.local/.internal name. WEBHOOK_ALLOW_PRIVATE_URLS=true allows http and
// loopback for local receivers. DNS is not resolved here: see the design note for what limits that.
// Design: docs/design/webhooks.md#the-url-guard

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

type Range = [network: bigint, prefix: number, bits: 32 | 128];

const v4 = (text: string): bigint | null => {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
};

/** An IPv6 address as the URL parser writes it (lower-case hex groups, `::` compressed, no dotted tail). */
function v6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves[1] ? halves[1].split(":") : [];
  const groups =
    halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail] : head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
}

const range = (text: string, prefix: number): Range =>
  text.includes(":") ? [v6(text) ?? 0n, prefix, 128] : [v4(text) ?? 0n, prefix, 32];

const loopback = [range("127.0.0.0", 8), range("::1", 128)];
const refused: Range[] = [
  range("0.0.0.0", 8), // "this network", unspecified
  range("10.0.0.0", 8),
  range("100.64.0.0", 10), // CGNAT
  range("169.254.0.0", 16), // link-local, 169.254.169.254 metadata
  range("172.16.0.0", 12),
  range("192.0.0.0", 24),
  range("192.168.0.0", 16),
  range("198.18.0.0", 15), // benchmarking
  range("224.0.0.0", 4), // multicast
  range("240.0.0.0", 4), // reserved, broadcast
  range("::", 128), // unspecified
  range("fc00::", 7), // unique local, fd00:ec2::254 metadata
  range("fe80::", 10), // link-local
  range("fec0::", 10), // site-local (deprecated)
  range("ff00::", 8), // multicast
  range("100::", 64), // discard-only
];

const inRange = (address: bigint, bits: number, [network, prefix, rangeBits]: Range) =>
  bits === rangeBits && address >> BigInt(bits - prefix) === network >> BigInt(bits - prefix);

/** The IPv4 address an IPv6 one carries: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96), 6to4. */
function embeddedV4(address: bigint): bigint | null {
  const high96 = address >> 32n;
  if (high96 === 0xffffn || high96 === 0n || high96 === 0x64ff9b0000000000000000n) return address & 0xffffffffn;
  if (address >> 112n === 0x2002n) return (address >> 80n) & 0xffffffffn;
  return null;
}

function classify(address: bigint, bits: 32 | 128): "loopback" | "private" | "public" {
  if (loopback.some((r) => inRange(address, bits, r))) return "loopback";
  if (bits === 128 && address > 1n) {
    const inner = embeddedV4(address);
    if (inner !== null) return classify(inner, 32);
  }
  return refused.some((r) => inRange(address, bits, r)) ? "private" : "public";
}

const refusedNames = [/^localhost$/, /\.localhost$/, /\.local$/, /\.internal$/];

export function checkWebhookUrl(text: string, allowPrivate: boolean): UrlVerdict {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "is not a URL" };
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    return { ok: false, reason: "must use https" };
  }
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "must not carry credentials" };
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  let kind: "loopback" | "private" | "public";
  if (host.startsWith("[")) {
    const address = v6(host.slice(1, -1));
    kind = address === null ? "private" : classify(address, 128);
  } else {
    const address = v4(host);
    if (address !== null) kind = classify(address, 32);
    else if (host === "localhost" || host.endsWith(".localhost")) kind = "loopback";
    else kind = refusedNames.some((name) => name.test(host)) ? "private" : "public";
  }
  if (kind === "public" || (kind === "loopback" && allowPrivate)) return { ok: true, url };
  return { ok: false, reason: `must not point at a ${kind} address` };
}

/** The setting: WEBHOOK_ALLOW_PRIVATE_URLS=true allows http and loopback (development). */
export const allowPrivateUrls = (env: Env) => env.WEBHOOK_ALLOW_PRIVATE_URLS === "true";
