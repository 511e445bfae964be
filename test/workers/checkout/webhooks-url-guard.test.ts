// The webhook URL guard (checkWebhookUrl): a table of spellings with the verdict each must get (null: allowed, else
// the parts its reason must name), as deployed and with WEBHOOK_ALLOW_PRIVATE_URLS; and a property: every address in
// a refused range is refused in every way a URL can spell it. It runs in workerd, so the URL parser is the deployed one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl } from "../../../workers/checkout/src/webhooks/url-guard.ts";

type Row = [url: string, reason: null | string | string[]];

const METADATA = "169.254.169.254/32";

const deployed: Row[] = [
  // Scheme, credentials, and what the URL parser itself refuses.
  ["http://shop.zhongcao.dev/hook", "must use https"],
  ["ftp://shop.zhongcao.dev/", "must use https"],
  ["https://user:pw@shop.zhongcao.dev/", "credentials"],
  ["https://user@shop.zhongcao.dev/", "credentials"],
  ["not a url", "is not a URL"],
  ["https://[fe80::1%25eth0]/", "is not a URL"], // zone id
  ["https://1.2.3.4.5/", "is not a URL"],
  ["https://256.0.0.1/", "is not a URL"],
  ["https://./", "has no host name"],
  ["https://ab..cd/", "empty label"],

  // 169.254.169.254 in every IPv4 notation.
  ["https://169.254.169.254/latest/meta-data/", METADATA],
  ["https://2852039166/", METADATA], // decimal integer
  ["https://0xa9fea9fe/", METADATA], // hex integer
  ["https://0xa9.0xfe.0xa9.0xfe/", METADATA], // hex parts
  ["https://0251.0376.0251.0376/", METADATA], // octal parts
  ["https://169.254.43518/", METADATA], // three parts
  ["https://169.16689662/", METADATA], // two parts
  ["https://0251.0xfe.43518/", METADATA], // mixed
  ["https://%31%36%39.254.169.254/", METADATA], // percent-encoded
  ["https://１６９.２５４.１６９.２５４/", METADATA], // full-width digits
  ["https://169.254.169.254./", METADATA], // trailing dot
  ["https://169.254.1.1/", "a link-local address (169.254.0.0/16, Link Local, RFC 3927)"],

  // Loopback (refused as deployed; allowed with WEBHOOK_ALLOW_PRIVATE_URLS).
  ["https://127.0.0.1/", "a loopback address (127.0.0.0/8"],
  ["https://127.1/", "127.0.0.0/8"],
  ["https://2130706433/", "127.0.0.0/8"],
  ["https://0x7f000001/", "127.0.0.0/8"],
  ["https://017700000001/", "127.0.0.0/8"],
  ["https://0177.0.0.01/", "127.0.0.0/8"],
  ["https://127.255.255.254/", "127.0.0.0/8"],
  ["https://localhost/", "loopback name"],
  ["https://LOCALHOST./", "loopback name"],
  ["https://shop.localhost/", "loopback name"],
  ["https://ｌｏｃａｌｈｏｓｔ/", "loopback name"],
  ["https://[::1]/", "::1/128"],
  ["https://[0:0:0:0:0:0:0:1]/", "::1/128"],

  // The rest of the IPv4 Special-Purpose Address Registry, multicast and broadcast.
  ["https://0/", "0.0.0.0/32"],
  ["https://0.0.0.0/", "0.0.0.0/32"],
  ["https://0x.0x.0x.0x/", "0.0.0.0/32"],
  ["https://0.1.2.3/", "0.0.0.0/8, This network"],
  ["https://10.1.2.3/", "a private address (10.0.0.0/8, Private-Use, RFC 1918)"],
  ["https://012.1.2.3/", "10.0.0.0/8"],
  ["https://172.16.0.1/", "172.16.0.0/12, Private-Use"],
  ["https://172.31.255.255/", "172.16.0.0/12"],
  ["https://192.168.1.1/", "192.168.0.0/16, Private-Use"],
  ["https://3232235777/", "192.168.0.0/16"],
  ["https://100.64.0.1/", "100.64.0.0/10, Shared Address Space"],
  ["https://100.127.255.255/", "100.64.0.0/10"],
  ["https://100.100.100.200/", "a cloud metadata address (100.100.100.200/32"],
  ["https://192.0.0.1/", "192.0.0.0/29, IPv4 Service Continuity Prefix"],
  ["https://192.0.0.9/", "192.0.0.9/32, Port Control Protocol Anycast"],
  ["https://192.0.0.170/", "192.0.0.170/31, NAT64/DNS64 Discovery"],
  ["https://192.0.0.100/", "192.0.0.0/24, IETF Protocol Assignments"],
  ["https://192.0.0.192/", "a cloud metadata address (192.0.0.192/32"],
  ["https://192.0.2.1/", "a documentation address (192.0.2.0/24"],
  ["https://198.51.100.7/", "198.51.100.0/24, Documentation (TEST-NET-2)"],
  ["https://203.0.113.9/", "203.0.113.0/24, Documentation (TEST-NET-3)"],
  ["https://192.88.99.1/", "192.88.99.0/24, Deprecated (6to4 Relay Anycast)"],
  ["https://198.18.0.1/", "198.18.0.0/15, Benchmarking"],
  ["https://198.19.255.255/", "198.18.0.0/15"],
  ["https://224.0.0.1/", "a multicast address (224.0.0.0/4"],
  ["https://239.255.255.250/", "224.0.0.0/4"],
  ["https://240.0.0.1/", "240.0.0.0/4, Reserved"],
  ["https://255.255.255.255/", "the broadcast address (255.255.255.255/32"],
  ["https://4294967295/", "255.255.255.255/32"],

  // IPv6 forms that carry an IPv4 address: judged on that address.
  ["https://[::]/", "the unspecified address (::/128"],
  ["https://[::ffff:127.0.0.1]/", ["127.0.0.0/8", "embedded in an IPv4-mapped address"]],
  ["https://[::ffff:a9fe:a9fe]/", [METADATA, "IPv4-mapped"]],
  ["https://[::ffff:10.0.0.1]/", ["10.0.0.0/8", "IPv4-mapped"]],
  ["https://[::ffff:0:0]/", ["0.0.0.0/32", "IPv4-mapped"]],
  ["https://[::ffff:8.8.8.8]/", "an IPv4-mapped address (::ffff:0:0/96"],
  ["https://[::ffff:0:a9fe:a9fe]/", [METADATA, "embedded in an IPv4-translated address"]],
  ["https://[::ffff:0:169.254.169.254]/", [METADATA, "IPv4-translated"]],
  ["https://[::ffff:0:a00:1]/", ["10.0.0.0/8", "IPv4-translated"]],
  ["https://[::ffff:0:808:808]/", "::ffff:0:0:0/96, IPv4-translated Address"],
  ["https://[::10.0.0.1]/", ["10.0.0.0/8", "IPv4-compatible"]],
  ["https://[::8.8.8.8]/", "::/96, IPv4-compatible Address (deprecated)"],
  ["https://[64:ff9b::a9fe:a9fe]/", [METADATA, "NAT64 address (64:ff9b::/96)"]],
  ["https://[64:ff9b::10.0.0.1]/", ["10.0.0.0/8", "NAT64"]],
  ["https://[64:ff9b:1::a9fe:a9fe]/", [METADATA, "local-use NAT64 address (64:ff9b:1::/48)"]],
  ["https://[64:ff9b:1::808:808]/", "a local-use NAT64 address (64:ff9b:1::/48"],
  ["https://[64:ff9b:1:abcd::808:808]/", "64:ff9b:1::/48"],
  ["https://[2002:a9fe:a9fe::1]/", [METADATA, "6to4"]],
  ["https://[2002:c000:204::1]/", ["192.0.2.0/24", "6to4"]],
  ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", ["192.0.2.0/24", "Teredo address's client"]], // RFC 4380's
  ["https://[2001:0:4136:e378:8000:63bf:f5ff:fefe]/", ["10.0.0.0/8", "Teredo address's client"]],
  ["https://[2001:0:4136:e378:8000:63bf:5601:5601]/", [METADATA, "Teredo address's client"]],
  ["https://[2001:0:4136:e378::80ff:fffe]/", ["127.0.0.0/8", "Teredo address's client"]],
  ["https://[2001:0:a00:1::f7f7:f7f7]/", ["10.0.0.0/8", "Teredo address's server"]],

  // The rest of the IPv6 Special-Purpose Address Registry, and the space outside global unicast.
  ["https://[fd00:ec2::254]/", "a cloud metadata address (fd00:ec2::254/128"],
  ["https://[fc00::1]/", "a private address (fc00::/7, Unique-Local"],
  ["https://[fdab:cdef::1]/", "fc00::/7"],
  ["https://[fe80::1]/", "a link-local address (fe80::/10"],
  ["https://[febf::1]/", "fe80::/10"],
  ["https://[fec0::1]/", "fec0::/10, Site-Local"],
  ["https://[ff02::1]/", "a multicast address (ff00::/8"],
  ["https://[ff0e::1]/", "ff00::/8"],
  ["https://[2001:db8::1]/", "a documentation address (2001:db8::/32"],
  ["https://[2001:db8:ffff::]/", "2001:db8::/32"],
  ["https://[3fff::1]/", "3fff::/20, Documentation, RFC 9637"],
  ["https://[3fff:fff::1]/", "3fff::/20"],
  ["https://[100::1]/", "100::/64, Discard-Only Address Block"],
  ["https://[100:0:0:1::1]/", "100:0:0:1::/64, Dummy IPv6 Prefix"],
  ["https://[5f00::1]/", "5f00::/16, Segment Routing (SRv6) SIDs"],
  ["https://[2001:2::1]/", "2001:2::/48, Benchmarking"],
  ["https://[2001:10::1]/", "2001:10::/28, Deprecated (previously ORCHID)"],
  ["https://[2001:1::1]/", "an anycast service address (2001:1::1/128"],
  ["https://[2001:100::1]/", "2001::/23, IETF Protocol Assignments"],
  ["https://[4000::1]/", "an address outside global unicast (::/0"],
  ["https://[1::1]/", "::/0"],
  ["https://[e000::1]/", "::/0"],

  // Names: metadata hosts, single labels, special-use and never-delegated names.
  ["https://metadata/", "a cloud metadata host (metadata)"],
  ["https://metadata./", "cloud metadata host (metadata)"],
  ["https://ｍｅｔａｄａｔａ/", "cloud metadata host (metadata)"],
  ["https://metadata.google.internal/computeMetadata/v1/", "cloud metadata host (metadata.google.internal)"],
  ["https://METADATA.GOOGLE.INTERNAL./", "cloud metadata host (metadata.google.internal)"],
  ["https://metadata.goog/", "cloud metadata host"],
  ["https://instance-data/", "cloud metadata host"],
  ["https://metadata.tencentyun.com/", "cloud metadata host"],
  ["https://intranet/", "single-label"],
  ["https://router./", "single-label"],
  ["https://nas.home.arpa/", "a reserved name (.home.arpa, residential networks, RFC 8375)"],
  ["https://home.arpa/", ".home.arpa"],
  ["https://1.0.0.127.in-addr.arpa/", ".arpa"],
  ["https://printer.local/", "(.local, multicast DNS"],
  ["https://db.corp.internal/", ".internal"],
  ["https://server.localdomain/", ".localdomain"],
  ["https://api.zhongcao.test/", "(.test, RFC 6761)"],
  ["https://shop.example/", "(.example, RFC 6761)"],
  ["https://hooks.invalid/", "(.invalid, RFC 6761)"],
  ["https://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/", "(.onion, Tor"],
  ["https://x.alt/", ".alt"],
  ["https://fileserver.corp/", ".corp"],
  ["https://nas.home/", ".home"],

  // Allowed: public names and addresses, and the globally reachable special-purpose ranges.
  ["https://shop.zhongcao.dev/hooks", null],
  ["https://shop.zhongcao.dev:8443/webhooks?x=1", null],
  ["https://hooks.shop.zhongcao.dev./", null],
  ["https://商店.zhongcao.dev/", null],
  ["https://localhost.zhongcao.dev/", null],
  ["https://metadata.zhongcao.dev/", null],
  ["https://example.com/hook", null], // reserved for documentation (RFC 2606), but served from public addresses
  ["https://93.184.215.14/", null],
  ["https://8.8.8.8/", null],
  ["https://134744072/", null], // 8.8.8.8
  ["https://0x8.0x8.0x8.0x8/", null],
  ["https://172.32.0.1/", null],
  ["https://100.128.0.1/", null],
  ["https://192.0.3.1/", null],
  ["https://198.20.0.1/", null],
  ["https://223.255.255.255/", null],
  ["https://192.52.193.1/", null], // AMT
  ["https://[2606:4700::1111]/", null],
  ["https://[2606:4700:4700::1111]/", null],
  ["https://[2a00:1450:4001:80b::200e]/", null],
  ["https://[64:ff9b::808:808]/", null], // NAT64 of 8.8.8.8
  ["https://[64:ff9b::8.8.8.8]/", null],
  ["https://[2002:808:808::1]/", null], // 6to4 of 8.8.8.8
  ["https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/", null], // Teredo, client 8.8.8.8
  ["https://[2001:3::1]/", null], // AMT
  ["https://[2001:4:112::1]/", null], // AS112-v6
];

// WEBHOOK_ALLOW_PRIVATE_URLS=true: http and loopback are allowed, nothing else is.
const local: Row[] = [
  ["http://127.0.0.1:8080/hooks", null],
  ["http://localhost:3000/", null],
  ["http://2130706433/", null],
  ["https://[::1]/", null],
  ["http://[::1]:9999/", null],
  ["http://shop.zhongcao.dev/", null],
  ["http://metadata/", "cloud metadata host (metadata)"],
  ["http://intranet/", "single-label"],
  ["http://nas.home.arpa/", ".home.arpa"],
  ["http://192.0.2.1/", "192.0.2.0/24"],
  ["http://[::ffff:0:a9fe:a9fe]/", [METADATA, "IPv4-translated"]],
  ["http://[::ffff:127.0.0.1]/", ["127.0.0.0/8", "IPv4-mapped"]], // local receivers use 127.0.0.1 or ::1
  ["https://10.0.0.1/", "10.0.0.0/8"],
  ["https://169.254.169.254/", METADATA],
  ["https://[fd00:ec2::254]/", "fd00:ec2::254/128"],
  ["https://a.internal/", ".internal"],
];

function expectVerdict(url: string, allowPrivate: boolean, reason: Row[1]) {
  const verdict = checkWebhookUrl(url, allowPrivate);
  if (reason === null) {
    expect(verdict, url).toMatchObject({ ok: true });
    return;
  }
  expect(verdict.ok, url).toBe(false);
  for (const part of [reason].flat()) expect(verdict.ok ? "" : verdict.reason, url).toContain(part);
}

describe("checkWebhookUrl", () => {
  it("has a table of at least 100 spellings", () => {
    expect(deployed.length + local.length).toBeGreaterThanOrEqual(100);
  });

  it.each(deployed)("as deployed: %s", (url, reason) => expectVerdict(url, false, reason));

  it.each(local)("with WEBHOOK_ALLOW_PRIVATE_URLS: %s", (url, reason) => expectVerdict(url, true, reason));

  it("refuses an address of a refused range however the URL spells it", () => {
    const ranges: [number, number][] = [
      [0x7f000000, 8],
      [0x0a000000, 8],
      [0xac100000, 12],
      [0xc0a80000, 16],
      [0xa9fe0000, 16],
      [0x64400000, 10],
      [0xe0000000, 4],
      [0xf0000000, 4],
      [0x00000000, 8],
      [0xc0000000, 24],
      [0xc0000200, 24],
      [0xc6120000, 15],
      [0xc6336400, 24],
      [0xcb007100, 24],
    ];
    const bytes = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const hex = (n: number) => n.toString(16);
    const spellings = [
      (n: number) => bytes(n).join("."),
      (n: number) => String(n),
      (n: number) => `0x${hex(n)}`,
      (n: number) => `0${n.toString(8)}`,
      (n: number) =>
        bytes(n)
          .map((b) => `0x${hex(b)}`)
          .join("."),
      (n: number) =>
        bytes(n)
          .map((b) => `0${b.toString(8)}`)
          .join("."),
      (n: number) => `${n >>> 24}.${n & 0xffffff}`,
      (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${n & 0xffff}`,
      (n: number) => `[::ffff:${hex(n >>> 16)}:${hex(n & 0xffff)}]`,
      (n: number) => `[::ffff:0:${hex(n >>> 16)}:${hex(n & 0xffff)}]`,
      (n: number) => `[::${bytes(n).join(".")}]`,
      (n: number) => `[64:ff9b::${hex(n >>> 16)}:${hex(n & 0xffff)}]`,
      (n: number) => `[64:ff9b:1::${hex(n >>> 16)}:${hex(n & 0xffff)}]`,
      (n: number) => `[2002:${hex(n >>> 16)}:${hex(n & 0xffff)}::1]`,
      (n: number) => `[2001:0:4136:e378:8000:63bf:${hex((~n >>> 16) & 0xffff)}:${hex(~n & 0xffff)}]`,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...ranges),
        fc.nat(),
        fc.constantFrom(...spellings),
        ([network, prefix], host, spell) => {
          const address = (network | (host & (2 ** (32 - prefix) - 1))) >>> 0;
          expect(checkWebhookUrl(`https://${spell(address)}/hook`, false).ok).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
