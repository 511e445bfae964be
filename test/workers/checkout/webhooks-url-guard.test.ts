// The webhook URL guard (checkWebhookUrl) as deployed (private URLs not allowed): a table of tricky URLs, and a
// property: every address in a refused range is refused in every way a URL can spell it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl } from "../../../workers/checkout/src/webhooks/url-guard.ts";

const refused = [
  "http://example.com/hook", // plain http
  "ftp://example.com/",
  "https://user:pw@example.com/",
  "https://user@example.com/",
  "https://localhost/",
  "https://LOCALHOST./",
  "https://shop.localhost/",
  "https://printer.local/",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://db.corp.internal/",
  "https://127.0.0.1/",
  "https://127.1/",
  "https://2130706433/", // decimal
  "https://0x7f000001/", // hex
  "https://017700000001/", // octal
  "https://0177.0.0.01/",
  "https://0/",
  "https://0.0.0.0/",
  "https://10.1.2.3/",
  "https://172.16.0.1/",
  "https://172.31.255.255/",
  "https://192.168.1.1/",
  "https://100.64.0.1/", // CGNAT
  "https://169.254.169.254/latest/meta-data/",
  "https://0xa9fea9fe/",
  "https://224.0.0.1/",
  "https://255.255.255.255/",
  "https://[::1]/",
  "https://[::]/",
  "https://[0:0:0:0:0:0:0:1]/",
  "https://[::ffff:127.0.0.1]/", // IPv4-mapped
  "https://[::ffff:a9fe:a9fe]/",
  "https://[::ffff:10.0.0.1]/",
  "https://[::10.0.0.1]/", // IPv4-compatible
  "https://[64:ff9b::a9fe:a9fe]/", // NAT64
  "https://[2002:a9fe:a9fe::1]/", // 6to4
  "https://[fd00:ec2::254]/", // AWS metadata over IPv6
  "https://[fc00::1]/",
  "https://[fe80::1]/",
  "https://[ff02::1]/",
  "not a url",
];

const allowed = [
  "https://example.com/hook",
  "https://shop.example.com:8443/webhooks?x=1",
  "https://8.8.8.8/",
  "https://172.32.0.1/",
  "https://100.128.0.1/",
  "https://[2606:4700:4700::1111]/",
  "https://localhost.example.com/",
];

describe("checkWebhookUrl", () => {
  it("refuses private, loopback, link-local, metadata and special addresses, names, credentials and http", () => {
    for (const url of refused) expect(checkWebhookUrl(url, false).ok, url).toBe(false);
    for (const url of allowed) expect(checkWebhookUrl(url, false).ok, url).toBe(true);
  });

  it("with WEBHOOK_ALLOW_PRIVATE_URLS allows http and loopback only", () => {
    for (const url of [
      "http://127.0.0.1:8080/hooks",
      "http://localhost:3000/",
      "https://[::1]/",
      "http://example.com/",
    ]) {
      expect(checkWebhookUrl(url, true).ok, url).toBe(true);
    }
    for (const url of [
      "https://10.0.0.1/",
      "https://169.254.169.254/",
      "https://[fd00:ec2::254]/",
      "https://a.internal/",
    ]) {
      expect(checkWebhookUrl(url, true).ok, url).toBe(false);
    }
  });

  it("refuses an address of a refused range however the URL spells it", () => {
    const ranges: [number, number][] = [
      [0x7f000000, 8],
      [0x0a000000, 8],
      [0xac100000, 12],
      [0xc0a80000, 16],
      [0xa9fe0000, 16],
      [0x64400000, 10],
      [0xe0000000, 4],
      [0x00000000, 8],
    ];
    const spellings = [
      (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."),
      (n: number) => String(n),
      (n: number) => `0x${n.toString(16)}`,
      (n: number) => `0${n.toString(8)}`,
      (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => `0x${b.toString(16)}`).join("."),
      (n: number) => `${n >>> 24}.${n & 0xffffff}`,
      (n: number) => `[::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}]`,
      (n: number) => `[64:ff9b::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}]`,
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
      { numRuns: 2000 },
    );
  });
});
