// The gateway: the one public Worker. Request ids, CORS, body limits and authentication here (in that order); its own
// routes (accounts, keys, sessions, JWKS), and every other /v1/* path goes to the Worker that owns it.
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createApp, problem } from "#shared/http.ts";
import { authenticate } from "./authenticate.ts";
import { forwardTo } from "./forward.ts";
import { openApiDocument } from "./openapi.ts";
import { shedLoad } from "./overload.ts";
import { limitByAddress, limitByCredential } from "./rate-limit.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { creatorRoutes } from "./routes/creators.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { wellKnownRoutes } from "./routes/jwks.ts";
import { merchantRoutes } from "./routes/merchants.ts";
import { oidcIssuerRoutes } from "./routes/oidc-issuers.ts";
import { pageRoutes } from "./routes/pages.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { services } from "./services.ts";

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
  const maxSize = Number(c.env.BODY_LIMIT_BYTES);
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

app.route("/health", healthRoutes);
app.get("/openapi.json", openApiDocument(app));
app.route("/docs", docsRoutes);
app.route("/", pageRoutes);
app.route("/.well-known", wellKnownRoutes);
app.route("/v1/merchants", merchantRoutes);
app.route("/v1/creators", creatorRoutes);
app.route("/v1/api-keys", apiKeyRoutes);
app.route("/v1/oidc-issuers", oidcIssuerRoutes);
app.route("/v1", sessionRoutes);

for (const { binding, prefixes } of services) {
  for (const prefix of prefixes) {
    app.all(prefix, forwardTo(binding));
    app.all(`${prefix}/*`, forwardTo(binding));
  }
}

export default app;
