// GET / (the storefront) and GET /merchant (the merchant's figures and webhook deliveries): two small documents, their
// scripts (bundled from browser/ by dev/build-pages.ts) and one stylesheet, all served from here, so the pages
// need no other host and a strict CSP holds: scripts only from this origin, no inline script or style.
import { Hono } from "hono";
import merchantScript from "../../pages-dist/merchant.page.js";
import storefrontScript from "../../pages-dist/storefront.page.js";
import css from "./browser/pages.css";

const security = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
// The scripts change with every deploy and carry no version in their path: revalidated within a minute.
const asset = (type: string) => ({ "content-type": `${type}; charset=utf-8`, "cache-control": "public, max-age=60" });

const document = (title: string, script: string, body: string) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/pages/pages.css">
<script type="module" src="/pages/${script}"></script>
</head>
<body>
${body}
</body>
</html>`;

const storefront = document(
  "种草 zhongcao",
  "storefront.js",
  `<header class="bar">
<a class="brand" href="#/">种草 <small>zhongcao</small></a>
<form id="search" role="search"><input name="q" type="search" placeholder="搜索商品、笔记：小黑瓶、口红、lancome 精华" aria-label="搜索"><button type="submit">搜索</button></form>
</header>
<main id="view" aria-live="polite"></main>`,
);

const merchant = document(
  "商家后台 · 种草 zhongcao",
  "merchant.js",
  `<header class="bar">
<a class="brand" href="/merchant">种草 <small>商家后台</small></a>
<form id="key"><input name="key" type="password" autocomplete="off" placeholder="sk_test_…（只保存在本标签页）" aria-label="密钥"><button type="submit">登录</button></form>
</header>
<main id="view" aria-live="polite"></main>`,
);

export const pageRoutes = new Hono();

pageRoutes.get("/", (c) => c.html(storefront, 200, { ...security, "cache-control": "public, max-age=60" }));
pageRoutes.get("/merchant", (c) => c.html(merchant, 200, { ...security, "cache-control": "public, max-age=60" }));
pageRoutes.get("/pages/storefront.js", (c) => c.body(storefrontScript, 200, asset("text/javascript")));
pageRoutes.get("/pages/merchant.js", (c) => c.body(merchantScript, 200, asset("text/javascript")));
pageRoutes.get("/pages/pages.css", (c) => c.body(css, 200, asset("text/css")));
