// GET / (the storefront) and GET /merchant (the merchant's figures and webhook deliveries): two small documents, their
// scripts (bundled from browser/ by dev/build-pages.ts) and one stylesheet, all served from here, so the pages
// need no other host and a strict CSP holds: scripts only from this origin, no inline script or style.
import { Hono } from "hono";
import liveVideoScript from "../../pages-dist/live-video.page.js";
import merchantScript from "../../pages-dist/merchant.page.js";
import storefrontScript from "../../pages-dist/storefront.page.js";
import css from "./browser/pages.css";

/**
 * The live rooms' video server when LIVEKIT_URL names one: its WebSocket origin and the same origin over HTTP(S),
 * which the SDK and the room's probe also call. Anything else (empty, not ws:/wss:) names none.
 */
export function videoServer(livekitUrl: string | undefined): { ws: string; http: string } | undefined {
  let url: URL;
  try {
    url = new URL(livekitUrl ?? "");
  } catch {
    return undefined;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return undefined;
  return { ws: url.origin, http: url.origin.replace(/^ws/, "http") };
}

/**
 * Scripts only from this origin, no inline script or style; connections to this origin, and to the video server
 * only where one is configured (the live room plays its stream; WebRTC media itself is not fetched through CSP).
 */
function security(livekitUrl: string | undefined) {
  const video = videoServer(livekitUrl);
  const connect = video ? `'self' ${video.ws} ${video.http}` : "'self'";
  return {
    "content-security-policy": `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; media-src 'self' blob:; connect-src ${connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}
// The scripts change with every deploy and carry no version in their path: revalidated within a minute.
const asset = (type: string) => ({ "content-type": `${type}; charset=utf-8`, "cache-control": "public, max-age=60" });

const document = (title: string, script: string, body: string, head = "") => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/pages/pages.css">
<script type="module" src="/pages/${script}"></script>${head}
</head>
<body>
${body}
</body>
</html>`;

const storefront = (livekitUrl: string | undefined) => {
  const video = videoServer(livekitUrl);
  // The live room reads which video server it may join from here (browser/live-room.ts).
  const head = video ? `\n<meta name="livekit-url" content="${video.ws}">` : "";
  return document(
    "种草 zhongcao",
    "storefront.js",
    `<header class="bar">
<a class="brand" href="#/">种草 <small>zhongcao</small></a>
<form id="search" role="search"><input name="q" type="search" placeholder="搜索商品、笔记：小黑瓶、口红、lancome 精华" aria-label="搜索"><button type="submit">搜索</button></form>
</header>
<main id="view" aria-live="polite"></main>`,
    head,
  );
};

const merchant = document(
  "商家后台 · 种草 zhongcao",
  "merchant.js",
  `<header class="bar">
<a class="brand" href="/merchant">种草 <small>商家后台</small></a>
<form id="key"><input name="key" type="password" autocomplete="off" placeholder="sk_test_…（只保存在本标签页）" aria-label="密钥"><button type="submit">登录</button></form>
</header>
<main id="view" aria-live="polite"></main>`,
);

export const pageRoutes = new Hono<{ Bindings: Env }>();

pageRoutes.get("/", (c) =>
  c.html(storefront(c.env.LIVEKIT_URL), 200, {
    ...security(c.env.LIVEKIT_URL),
    "cache-control": "public, max-age=60",
  }),
);
pageRoutes.get("/merchant", (c) =>
  c.html(merchant, 200, { ...security(undefined), "cache-control": "public, max-age=60" }),
);
pageRoutes.get("/pages/storefront.js", (c) => c.body(storefrontScript, 200, asset("text/javascript")));
pageRoutes.get("/pages/merchant.js", (c) => c.body(merchantScript, 200, asset("text/javascript")));
pageRoutes.get("/pages/live-video.js", (c) => c.body(liveVideoScript, 200, asset("text/javascript")));
pageRoutes.get("/pages/pages.css", (c) => c.body(css, 200, asset("text/css")));
