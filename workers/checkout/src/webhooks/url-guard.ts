// Which URLs a webhook may be sent to (against server-side request forgery). The host is read as an address, not as
// text: an IP literal in any spelling is reduced to its number and judged against the special-purpose ranges
// (special-addresses.ts); a name is refused when it is single-label, reserved or a metadata host. https only, no
// userinfo. WHATWG URL already turns numeric IPv4 spellings into dotted decimal; the parser here accepts them all
// anyway so the verdict does not depend on that. DNS is not resolved here: see the design note for what limits that.
// Design: docs/design/webhooks.md#the-url-guard

import { type AddressVerdict, judgeV4, judgeV6, parseV6 } from "./special-addresses.ts";

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

type HostVerdict = { kind: "public" } | { kind: "loopback" | "refused"; reason: string };

const refused = (reason: string): HostVerdict => ({ kind: "refused", reason });
const pointsAt = (verdict: AddressVerdict): HostVerdict =>
  verdict.kind === "public" ? verdict : { kind: verdict.kind, reason: `must not point at ${verdict.reason}` };

/** One part of an IPv4 address as inet_aton and WHATWG read it: 0x… hex, 0… octal, else decimal. */
function v4Part(part: string): number | null {
  if (/^0x[0-9a-f]*$/.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part, 8);
  return /^(0|[1-9]\d*)$/.test(part) ? Number(part) : null;
}

/** An IPv4 address in any notation a URL parser or resolver accepts (1 to 4 parts, the last filling the rest). */
function parseV4(host: string): number | null {
  const parts = host.split(".").map(v4Part);
  if (parts.length > 4 || parts.some((p) => p === null)) return null;
  const numbers = parts as number[];
  const last = numbers.pop() ?? 0;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

// The URL standard treats a host whose last label is a number as an IPv4 address, never as a name.
const endsInNumber = (host: string) => /^(\d+|0x[0-9a-f]*)$/.test(host.slice(host.lastIndexOf(".") + 1));

// Names that lead to the cloud provider's instance metadata service from inside its network.
const metadataHosts = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
]);

// Special-use and never-delegated names: they resolve on a local network, in a private zone, or not at all.
const reservedNames: [suffix: string, ref: string][] = [
  ["home.arpa", "residential networks, RFC 8375"],
  ["arpa", "infrastructure, RFC 3172"],
  ["local", "multicast DNS, RFC 6762"],
  ["internal", "private use, ICANN"],
  ["localdomain", "local-network default"],
  ["test", "RFC 6761"],
  ["example", "RFC 6761"],
  ["invalid", "RFC 6761"],
  ["onion", "Tor, RFC 7686"],
  ["alt", "RFC 9476"],
  ["corp", "never delegated, ICANN name collision"],
  ["home", "never delegated, ICANN name collision"],
  ["mail", "never delegated, ICANN name collision"],
];

const under = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

function judgeName(host: string): HostVerdict {
  if (host === "") return refused("has no host name");
  if (host.split(".").includes("")) return refused("is not a valid host name (empty label)");
  if (metadataHosts.has(host)) return refused(`must not point at a cloud metadata host (${host})`);
  if (under(host, "localhost")) return { kind: "loopback", reason: "must not point at a loopback name (localhost)" };
  const reserved = reservedNames.find(([suffix]) => under(host, suffix));
  if (reserved) return refused(`must not point at a reserved name (.${reserved[0]}, ${reserved[1]})`);
  // A name without a dot is completed by the resolver's search list: a host on the local network.
  if (!host.includes(".")) return refused("must not be a single-label host name (local network only)");
  return { kind: "public" };
}

function judgeHost(hostname: string): HostVerdict {
  if (hostname.startsWith("[")) {
    const text = hostname.slice(1, -1);
    if (text.includes("%")) return refused("must not carry an IPv6 zone id");
    const address = parseV6(text);
    return address === null ? refused("is not a valid IPv6 address") : pointsAt(judgeV6(address));
  }
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host !== "" && endsInNumber(host)) {
    const address = parseV4(host);
    return address === null ? refused("is not a valid IPv4 address") : pointsAt(judgeV4(address));
  }
  return judgeName(host);
}

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
  const verdict = judgeHost(url.hostname);
  if (verdict.kind === "public" || (verdict.kind === "loopback" && allowPrivate)) return { ok: true, url };
  return { ok: false, reason: verdict.reason };
}

/** The setting: WEBHOOK_ALLOW_PRIVATE_URLS=true allows http and loopback (development). */
export const allowPrivateUrls = (env: Env) => env.WEBHOOK_ALLOW_PRIVATE_URLS === "true";
