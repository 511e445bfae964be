// The gateway: the one public Worker. CORS, body limits and request ids here; /v1/* goes to the Worker that owns it.
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createApp, problem } from "../../../shared/http.ts";
import { forwardTo } from "./forward.ts";
import { healthRoutes } from "./routes/health.ts";
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
    exposeHeaders: ["X-Request-Id", "ETag", "Location", "Retry-After", "RateLimit", "RateLimit-Policy"],
    maxAge: 600,
  }),
);

app.use("*", async function limitBody(c, next) {
  const maxSize = Number(c.env.BODY_LIMIT_BYTES);
  return bodyLimit({
    maxSize,
    onError: (c) => problem(c, "payload_too_large", `Request bodies are limited to ${maxSize} bytes.`),
  })(c, next);
});

app.route("/health", healthRoutes);

for (const { binding, prefixes } of services) {
  for (const prefix of prefixes) {
    app.all(prefix, forwardTo(binding));
    app.all(`${prefix}/*`, forwardTo(binding));
  }
}

export default app;
