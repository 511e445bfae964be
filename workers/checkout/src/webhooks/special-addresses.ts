// The address ranges a webhook may not be sent to: the IANA IPv4 and IPv6 Special-Purpose Address Registries (each
// range under its registry name), multicast, the IPv6 space outside global unicast, and the cloud metadata addresses.
// The most specific range decides, so a registry entry marked globally reachable can sit inside a refused block.
// IPv6 forms that carry an IPv4 address are judged on that address too: a translator or tunnel delivers to it.

/** What a range is to the guard: `what` names it in a refusal; null means allowed (globally reachable). */
interface SpecialRange {
  cidr: string;
  name: string;
  ref: string;
  what: string | null;
  loopback?: true;
}

// What a refusal calls each kind of range, one phrase for the kind in both registries.
const PRIVATE = "a private address";
const RESERVED = "a reserved address";
const DOCUMENTATION = "a documentation address";
const METADATA = "a cloud metadata address";
const ANYCAST = "an anycast service address";
const LOOPBACK = "a loopback address";
const LINK_LOCAL = "a link-local address";
const MULTICAST = "a multicast address";
const UNSPECIFIED = "the unspecified address";
const BENCHMARKING = "a benchmarking address";

const ipv4Ranges: SpecialRange[] = [
  { cidr: "0.0.0.0/8", name: "This network", ref: "RFC 791", what: "a 'this network' address" },
  { cidr: "0.0.0.0/32", name: "This host on this network", ref: "RFC 1122", what: UNSPECIFIED },
  { cidr: "10.0.0.0/8", name: "Private-Use", ref: "RFC 1918", what: PRIVATE },
  { cidr: "100.64.0.0/10", name: "Shared Address Space", ref: "RFC 6598", what: "a carrier-grade NAT address" },
  { cidr: "100.100.100.200/32", name: "Instance metadata", ref: "Alibaba Cloud", what: METADATA },
  { cidr: "127.0.0.0/8", name: "Loopback", ref: "RFC 1122", what: LOOPBACK, loopback: true },
  { cidr: "169.254.0.0/16", name: "Link Local", ref: "RFC 3927", what: LINK_LOCAL },
  { cidr: "169.254.169.254/32", name: "Instance metadata", ref: "AWS, Google Cloud, Azure, OpenStack", what: METADATA },
  { cidr: "172.16.0.0/12", name: "Private-Use", ref: "RFC 1918", what: PRIVATE },
  { cidr: "192.0.0.0/24", name: "IETF Protocol Assignments", ref: "RFC 6890", what: RESERVED },
  { cidr: "192.0.0.0/29", name: "IPv4 Service Continuity Prefix", ref: "RFC 7335", what: RESERVED },
  { cidr: "192.0.0.8/32", name: "IPv4 dummy address", ref: "RFC 7600", what: RESERVED },
  // Marked globally reachable, but an anycast address reaches the sender's own network (its gateway or relay),
  // never a merchant's receiver; the same holds for their IPv6 twins below.
  { cidr: "192.0.0.9/32", name: "Port Control Protocol Anycast", ref: "RFC 7723", what: ANYCAST },
  { cidr: "192.0.0.10/32", name: "Traversal Using Relays around NAT Anycast", ref: "RFC 8155", what: ANYCAST },
  { cidr: "192.0.0.170/31", name: "NAT64/DNS64 Discovery", ref: "RFC 8880", what: RESERVED },
  { cidr: "192.0.0.192/32", name: "Instance metadata", ref: "Oracle Cloud", what: METADATA },
  { cidr: "192.0.2.0/24", name: "Documentation (TEST-NET-1)", ref: "RFC 5737", what: DOCUMENTATION },
  { cidr: "192.31.196.0/24", name: "AS112-v4", ref: "RFC 7535", what: null },
  { cidr: "192.52.193.0/24", name: "AMT", ref: "RFC 7450", what: null },
  { cidr: "192.88.99.0/24", name: "Deprecated (6to4 Relay Anycast)", ref: "RFC 7526", what: RESERVED },
  { cidr: "192.168.0.0/16", name: "Private-Use", ref: "RFC 1918", what: PRIVATE },
  { cidr: "192.175.48.0/24", name: "Direct Delegation AS112 Service", ref: "RFC 7534", what: null },
  { cidr: "198.18.0.0/15", name: "Benchmarking", ref: "RFC 2544", what: BENCHMARKING },
  { cidr: "198.51.100.0/24", name: "Documentation (TEST-NET-2)", ref: "RFC 5737", what: DOCUMENTATION },
  { cidr: "203.0.113.0/24", name: "Documentation (TEST-NET-3)", ref: "RFC 5737", what: DOCUMENTATION },
  { cidr: "224.0.0.0/4", name: "Multicast", ref: "RFC 5771", what: MULTICAST },
  { cidr: "240.0.0.0/4", name: "Reserved", ref: "RFC 1112", what: RESERVED },
  { cidr: "255.255.255.255/32", name: "Limited Broadcast", ref: "RFC 919", what: "the broadcast address" },
];

const ipv6Ranges: SpecialRange[] = [
  // Only 2000::/3 is handed out as global unicast; the rest of the space is reserved or special below.
  { cidr: "::/0", name: "Reserved by IETF", ref: "RFC 4291", what: "an address outside global unicast" },
  { cidr: "2000::/3", name: "Global Unicast", ref: "RFC 4291", what: null },
  { cidr: "::/128", name: "Unspecified Address", ref: "RFC 4291", what: UNSPECIFIED },
  { cidr: "::1/128", name: "Loopback Address", ref: "RFC 4291", what: LOOPBACK, loopback: true },
  { cidr: "::/96", name: "IPv4-compatible Address (deprecated)", ref: "RFC 4291", what: RESERVED },
  { cidr: "::ffff:0:0/96", name: "IPv4-mapped Address", ref: "RFC 4291", what: "an IPv4-mapped address" },
  { cidr: "::ffff:0:0:0/96", name: "IPv4-translated Address", ref: "RFC 2765", what: RESERVED },
  { cidr: "64:ff9b::/96", name: "IPv4-IPv6 Translat.", ref: "RFC 6052", what: null },
  // Refused whatever it carries: a local-use prefix leads to the operator's own translator.
  {
    cidr: "64:ff9b:1::/48",
    name: "IPv4-IPv6 Translat. (local-use)",
    ref: "RFC 8215",
    what: "a local-use NAT64 address",
  },
  { cidr: "100::/64", name: "Discard-Only Address Block", ref: "RFC 6666", what: RESERVED },
  { cidr: "100:0:0:1::/64", name: "Dummy IPv6 Prefix", ref: "RFC 9780", what: RESERVED },
  { cidr: "2001::/23", name: "IETF Protocol Assignments", ref: "RFC 2928", what: RESERVED },
  { cidr: "2001::/32", name: "TEREDO", ref: "RFC 4380", what: null },
  { cidr: "2001:1::1/128", name: "Port Control Protocol Anycast", ref: "RFC 7723", what: ANYCAST },
  { cidr: "2001:1::2/128", name: "TURN Anycast", ref: "RFC 8155", what: ANYCAST },
  { cidr: "2001:1::3/128", name: "DNS-SD Service Registration Protocol Anycast", ref: "RFC 9665", what: ANYCAST },
  { cidr: "2001:2::/48", name: "Benchmarking", ref: "RFC 5180", what: BENCHMARKING },
  { cidr: "2001:3::/32", name: "AMT", ref: "RFC 7450", what: null },
  { cidr: "2001:4:112::/48", name: "AS112-v6", ref: "RFC 7535", what: null },
  { cidr: "2001:10::/28", name: "Deprecated (previously ORCHID)", ref: "RFC 4843", what: RESERVED },
  { cidr: "2001:20::/28", name: "ORCHIDv2", ref: "RFC 7343", what: null },
  { cidr: "2001:30::/28", name: "Drone Remote ID Protocol Entity Tags (DETs) Prefix", ref: "RFC 9374", what: null },
  { cidr: "2001:db8::/32", name: "Documentation", ref: "RFC 3849", what: DOCUMENTATION },
  { cidr: "2002::/16", name: "6to4", ref: "RFC 3056", what: null },
  { cidr: "2620:4f:8000::/48", name: "Direct Delegation AS112 Service", ref: "RFC 7534", what: null },
  { cidr: "3fff::/20", name: "Documentation", ref: "RFC 9637", what: DOCUMENTATION },
  { cidr: "5f00::/16", name: "Segment Routing (SRv6) SIDs", ref: "RFC 9602", what: RESERVED },
  { cidr: "fc00::/7", name: "Unique-Local", ref: "RFC 4193", what: PRIVATE },
  { cidr: "fd00:ec2::254/128", name: "Instance metadata", ref: "AWS", what: METADATA },
  { cidr: "fe80::/10", name: "Link-Local Unicast", ref: "RFC 4291", what: LINK_LOCAL },
  { cidr: "fec0::/10", name: "Site-Local (deprecated)", ref: "RFC 3879", what: PRIVATE },
  { cidr: "ff00::/8", name: "Multicast", ref: "RFC 4291", what: MULTICAST },
];

/** The IPv4 addresses an IPv6 address carries, each with what the address is to it (named with its range). */
type Carried = (address: bigint) => { v4: number; role: string }[];

const low32 = (address: bigint) => Number(address & 0xffffffffn);
const inLow32 =
  (role: string): Carried =>
  (address) => [{ v4: low32(address), role }];

/** The ranges above whose addresses carry an IPv4 address, keyed by CIDR, and where each puts it. */
const carriedV4: Record<string, Carried> = {
  "::/96": inLow32("an IPv4-compatible address"),
  "::ffff:0:0/96": inLow32("an IPv4-mapped address"),
  "::ffff:0:0:0/96": inLow32("an IPv4-translated address"),
  // A translator forwards to the IPv4 address in the last 32 bits; RFC 6052 forbids it for non-global ones.
  "64:ff9b::/96": inLow32("a NAT64 address"),
  "64:ff9b:1::/48": inLow32("a local-use NAT64 address"),
  // Server IPv4 in bits 32-63; the client's IPv4, where the packet ends up, XORed in the last 32 bits.
  "2001::/32": (a) => [
    { v4: low32(a) ^ 0xffffffff, role: "a Teredo address's client" },
    { v4: low32(a >> 64n), role: "a Teredo address's server" },
  ],
  "2002::/16": (a) => [{ v4: low32(a >> 80n), role: "a 6to4 address" }],
};

/** A dotted-decimal IPv4 address (exactly four parts of 0-255, no leading zeros) as a 32-bit integer. */
export function dottedV4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** An IPv6 address in any RFC 4291 text form (`::` compression, dotted IPv4 tail) as a 128-bit integer. */
export function parseV6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const side = (part: string): string[] | null => {
    if (part === "") return [];
    const groups = part.split(":");
    const last = groups.at(-1) ?? "";
    if (last.includes(".")) {
      const v4 = dottedV4(last);
      if (v4 === null) return null;
      groups.splice(-1, 1, (v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
    }
    return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups : null;
  };
  const head = side(halves[0] ?? "");
  const tail = halves.length === 2 ? side(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  // A dotted tail is only allowed last: in the head it would be followed by "::".
  if (halves.length === 2 && halves[0]?.includes(".")) return null;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return null;
  const groups = [...head, ...Array<string>(8 - count).fill("0"), ...tail];
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
}

interface Compiled<T> {
  range: SpecialRange;
  network: T;
  prefix: number;
}

const v4Mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
const v6Mask = (prefix: number) => ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);

function compile<T>(ranges: SpecialRange[], parse: (text: string) => T | null): Compiled<T>[] {
  return ranges
    .map((range) => {
      const [text = "", prefix = ""] = range.cidr.split("/");
      const network = parse(text);
      if (network === null) throw new Error(`bad range ${range.cidr}`);
      return { range, network, prefix: Number(prefix) };
    })
    .sort((a, b) => b.prefix - a.prefix);
}

// Sorted most specific first: the first range that contains an address is the one that decides.
const v4Table = compile(ipv4Ranges, dottedV4);
const v6Table = compile(ipv6Ranges, parseV6);

export type AddressVerdict = { kind: "public" } | { kind: "loopback" | "refused"; reason: string };

const phrase = (range: SpecialRange) => `${range.what} (${range.cidr}, ${range.name}, ${range.ref})`;

function verdictOf(range: SpecialRange | undefined): AddressVerdict {
  if (range?.what == null) return { kind: "public" };
  return { kind: range.loopback ? "loopback" : "refused", reason: phrase(range) };
}

/** What an IPv4 address (32-bit unsigned integer) is to the guard. */
export function judgeV4(address: number): AddressVerdict {
  return verdictOf(v4Table.find((r) => (address & v4Mask(r.prefix)) >>> 0 === r.network)?.range);
}

function carried(range: SpecialRange, address: bigint) {
  const found = carriedV4[range.cidr]?.(address) ?? [];
  return found.map(({ v4, role }) => ({ v4, role: `${role} (${range.cidr})` }));
}

/** What an IPv6 address is to the guard: its own range, and any IPv4 address it carries. */
export function judgeV6(address: bigint): AddressVerdict {
  const range = v6Table.find((r) => (address & v6Mask(r.prefix)) === r.network)?.range;
  for (const { v4, role } of range ? carried(range, address) : []) {
    const inner = judgeV4(v4 >>> 0);
    // An embedded loopback is refused even where loopback is allowed: local receivers use 127.0.0.1 or ::1.
    if (inner.kind !== "public") return { kind: "refused", reason: `${inner.reason}, embedded in ${role}` };
  }
  return verdictOf(range);
}
