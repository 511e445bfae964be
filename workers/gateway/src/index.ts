// The gateway: the one public Worker. Every request goes through the pipeline (pipeline/: request id, CORS, load
// shedding, body limit, rate limits, authentication, a JSON body's text, in that order); then the gateway's own
// routes (one folder per resource: accounts, keys, sessions, uploads and media, JWKS, docs, pages), and every other
// /v1/* path to the Worker that owns it (pipeline/services.ts, pipeline/forward.ts).
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createApp, problem } from "#shared/http.ts";
import { apiKeyRoutes } from "./api-keys/routes.ts";
import { creatorRoutes } from "./creators/routes.ts";
import { openApiDocument } from "./docs/openapi.ts";
import { docsRoutes } from "./docs/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { removeUnattached } from "./media/cleanup.ts";
import { mediaRoutes } from "./media/routes.ts";
import { merchantRoutes } from "./merchants/routes.ts";
import { oidcIssuerRoutes } from "./oidc-issuers/routes.ts";
import { pageRoutes } from "./pages/routes.ts";
import { authenticate } from "./pipeline/authenticate.ts";
import { forwardTo } from "./pipeline/forward.ts";
import { checkJsonBodies } from "./pipeline/json-text.ts";
import { shedLoad } from "./pipeline/overload.ts";
import { limitByAddress, limitByCredential } from "./pipeline/rate-limit.ts";
import { services } from "./pipeline/services.ts";
import { creatorSessionRoutes } from "./sessions/creator-routes.ts";
import { shopperSessionRoutes } from "./sessions/shopper-routes.ts";
import { uploadRoutes } from "./uploads/routes.ts";
import { wellKnownRoutes } from "./well-known/routes.ts";

export const app = createApp<{ Bindings: Env }>("gateway");

app.use(
  "*",
  cors({
    origin: (origin, c) => {
      const allowed = (c.env as Env).CORS_ORIGINS.split(",").map((o) => o.trim());
      return allowed.includes("*") || allowed.includes(origin) ? origin : null;
    },
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "Idempotency-Key",
      "If-Match",
      "If-None-Match",
      "X-Publishable-Key",
      "X-Request-Id",
    ],
    exposeHeaders: [
      "X-Request-Id",
      "ETag",
      "Location",
      "Retry-After",
      "RateLimit",
      "RateLimit-Policy",
      "Idempotent-Replayed",
    ],
    maxAge: 600,
  }),
);

// Before anything that costs: past MAX_IN_FLIGHT requests in progress, a request is refused at once (overload.ts).
app.use("*", shedLoad());

app.use("*", async function limitBody(c, next) {
  // Images are the one body allowed past BODY_LIMIT_BYTES, on the one route that takes them.
  const upload = c.req.method === "POST" && c.req.path === "/v1/uploads";
  const maxSize = Number(upload ? c.env.UPLOAD_LIMIT_BYTES : c.env.BODY_LIMIT_BYTES);
  return bodyLimit({
    maxSize,
    onError: (c) => problem(c, "payload_too_large", `Request bodies are limited to ${maxSize} bytes.`),
  })(c, next);
});

// Every request: counted by address, then a bad, unknown or revoked credential is a 401 here (none at all is
// anonymous), then counted by credential.
app.use("*", limitByAddress());
app.use("*", authenticate());
app.use("*", limitByCredential());
// Then a JSON body's text, for the gateway's own routes and the forwarded ones alike (pipeline/json-text.ts).
app.use("*", checkJsonBodies());

app.route("/health", healthRoutes);
app.get("/openapi.json", openApiDocument(app));
app.route("/docs", docsRoutes);
app.route("/", pageRoutes);
app.route("/.well-known", wellKnownRoutes);
app.route("/media", mediaRoutes);
app.route("/v1/uploads", uploadRoutes);
app.route("/v1/merchants", merchantRoutes);
app.route("/v1/creators", creatorRoutes);
app.route("/v1/api-keys", apiKeyRoutes);
app.route("/v1/oidc-issuers", oidcIssuerRoutes);
app.route("/v1/shopper-sessions", shopperSessionRoutes);
app.route("/v1/creator-sessions", creatorSessionRoutes);

for (const { binding, prefixes } of services) {
  for (const prefix of prefixes) {
    app.all(prefix, forwardTo(binding));
    app.all(`${prefix}/*`, forwardTo(binding));
  }
}

export default {
  fetch: app.fetch,
  // The cron trigger ([triggers] in wrangler.toml), once a minute: uploads nothing named within a day are removed.
  async scheduled(_controller, env) {
    await removeUnattached(env);
  },
} satisfies ExportedHandler<Env>;
