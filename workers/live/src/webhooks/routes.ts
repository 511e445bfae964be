// POST /v1/webhooks/livekit: the video server's webhooks, signed over the exact body; a change purges the session's
// public reads at the edge.
import { z } from "@hono/zod-openapi";
import { createRouter, purge } from "#shared/http.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { receiveWebhook } from "./receive.ts";

const webhookRoute = route("POST /", "LiveKit webhooks (signed: Authorization is a JWT over the body's SHA-256)", {
  responses: ok(z.object({ received: z.boolean(), applied: z.boolean() }), "Received", 400, 401, 503),
});

export const webhookRoutes = createRouter<{ Bindings: Env }>();

webhookRoutes.openapi(webhookRoute, async (c) => {
  const { roomName, applied } = await receiveWebhook(c.env, c.req.header("authorization"), await c.req.text());
  if (applied) purge(c, `/v1/live/sessions/${roomName}`, `/v1/live/sessions/${roomName}/replay`);
  return c.json({ received: true, applied }, 200);
});
