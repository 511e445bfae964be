// GET / and GET /merchant: two documents and their assets, all from the gateway itself, under a strict CSP.
import { describe, expect, it } from "vitest";
import { videoServer } from "../../../workers/gateway/src/pages/routes.ts";
import { call } from "./helpers.ts";

describe("the storefront and merchant pages", () => {
  for (const [path, script] of [
    ["/", "/pages/storefront.js"],
    ["/merchant", "/pages/merchant.js"],
  ] as const) {
    it(`${path} is a zh-CN document whose one module script and stylesheet come from this gateway`, async () => {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).not.toContain("unsafe");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await res.text();
      expect(html).toContain('<html lang="zh-CN">');
      expect(html.match(/<script[^>]*>[^<]*<\/script>/g)).toEqual([`<script type="module" src="${script}"></script>`]);
      // Nothing from another host: every address is this gateway's path, a hash route, or data:.
      const addresses = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? "");
      for (const address of addresses) expect(address).toMatch(/^(\/|#|data:)/);
      const assets = addresses.filter((a) => a.startsWith("/pages/"));
      expect(assets.sort()).toEqual(["/pages/pages.css", script].sort());

      const js = await call(script);
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      // The bundle (dev/build-pages.ts), with the typed client inside: it calls the API by its paths.
      expect(await js.text()).toContain(path === "/" ? "/v1/feed" : "/v1/analytics/merchants/{id}");
      const css = await call("/pages/pages.css");
      expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
      expect(await css.text()).toContain("Noto Sans CJK SC");
    });
  }

  it("admits no video server unless LIVEKIT_URL names one, and serves the video player apart", async () => {
    // The test gateway's LIVEKIT_URL is wrangler.toml's: empty.
    const res = await call("/");
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self';");
    expect(await res.text()).not.toContain("livekit-url");
    expect(videoServer("wss://video.example.com/")).toEqual({
      ws: "wss://video.example.com",
      http: "https://video.example.com",
    });
    expect(videoServer("ws://127.0.0.1:7880")).toEqual({ ws: "ws://127.0.0.1:7880", http: "http://127.0.0.1:7880" });
    for (const none of ["", undefined, "https://video.example.com", "not a url", "javascript:alert(1)"]) {
      expect(videoServer(none)).toBeUndefined();
    }
    const player = await call("/pages/live-video.js");
    expect(player.status).toBe(200);
    expect(player.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    // The SDK's own bundle: the storefront's script does not carry it.
    const sdk = await player.text();
    const storefront = await (await call("/pages/storefront.js")).text();
    expect(sdk).toContain("trackSubscribed");
    expect(storefront).not.toContain("trackSubscribed");
    expect(storefront).toContain("/pages/live-video.js");
  });
});
