// GET /docs: the interactive API reference (Swagger UI) over /openapi.json, with "Try it out" against this very
// gateway. Its script and stylesheet are bundled into the Worker (wrangler.toml [[rules]] imports them as text) and
// served from /docs/, so the page needs nothing from any other host: it works offline, and a strict CSP holds.
import { Hono } from "hono";
import css from "swagger-ui-dist/swagger-ui.css";
import script from "swagger-ui-dist/swagger-ui-bundle.js";
import { ProblemError, problems } from "#shared/errors.ts";

// Long-lived: the assets change only with the swagger-ui-dist version, which is in their path.
const version = "5.35.0";
const immutable = "public, max-age=31536000, immutable";

const page = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>zhongcao API reference</title>
<link rel="stylesheet" href="/docs/${version}/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/${version}/swagger-ui-bundle.js"></script>
<script src="/docs/${version}/init.js"></script>
</body>
</html>`;

// Persisted authorisation, so a developer pastes a key once; requests go to this gateway (the document's server).
const init = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: false,
  displayRequestDuration: true,
});`;

export const docsRoutes = new Hono();

const security = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

docsRoutes.get("/", (c) => c.html(page, 200, { ...security, "cache-control": "public, max-age=300" }));
docsRoutes.get(`/${version}/swagger-ui.css`, (c) =>
  c.body(css, 200, { "content-type": "text/css; charset=utf-8", "cache-control": immutable }),
);
docsRoutes.get(`/${version}/swagger-ui-bundle.js`, (c) =>
  c.body(script, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": immutable }),
);
docsRoutes.get(`/${version}/init.js`, (c) =>
  c.body(init, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300" }),
);

// Every problem's `type` is /docs/problems/<code>: a short page saying what the code is, so the link answers.
docsRoutes.get("/problems/:code", (c) => {
  const code = c.req.param("code");
  if (!Object.hasOwn(problems, code)) throw new ProblemError("not_found", `No problem code ${code}.`);
  const { status, title } = problems[code as keyof typeof problems];
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} (${code})</title>
</head>
<body>
<h1>${title}</h1>
<p>HTTP ${status}, <code>code</code>: <code>${code}</code>.</p>
<p>The answer is <code>application/problem+json</code>: <code>detail</code> says what went wrong this time,
<code>errors</code> (when present) names each field at fault as a JSON pointer, and <code>requestId</code> names the
request for the logs.</p>
<p><a href="/docs">API reference</a></p>
</body>
</html>`;
  return c.html(html, 200, { ...security, "cache-control": "public, max-age=300" });
});
