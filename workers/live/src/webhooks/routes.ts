// POST /v1/webhooks/livekit: the video server's webhooks. The signature is checked on the exact body before anything
// is parsed (unsigned or tampered: 401, nothing changes); room_started and room_finished move the session (the
// room's name is the session id), egress_ended stores the recording URL. Other events and unknown rooms are
// acknowledged and ignored, so the server does not retry them.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { type ProblemCode, ProblemError } from "#shared/errors.ts";
import { createRouter, purge, zodFieldErrors } from "#shared/http.ts";
import { isId } from "#shared/ids.ts";
import { log } from "#shared/log.ts";
import { problemResponses } from "#shared/openapi.ts";
import { liveKitConfig, verifyWebhook } from "../livekit.ts";
import { recordRecording } from "../record-recording.ts";
import { endSession, startSession } from "../session-lifecycle.ts";

const WebhookEvent = z.looseObject({
  event: z.string(),
  id: z.string().optional(),
  room: z.looseObject({ name: z.string() }).optional(),
  egressInfo: z
    .looseObject({
      egressId: z.string(),
      roomName: z.string().optional(),
      status: z.string().optional(),
      fileResults: z.array(z.looseObject({ location: z.string().optional() })).optional(),
      file: z.looseObject({ location: z.string().optional() }).optional(),
    })
    .optional(),
});

const webhookRoute = createRoute({
  method: "post",
  path: "/",
  summary: "LiveKit webhooks (signed: Authorization is a JWT over the body's SHA-256)",
  responses: {
    200: {
      description: "Received",
      content: { "application/json": { schema: z.object({ received: z.boolean(), applied: z.boolean() }) } },
    },
    ...problemResponses(400, 401, 503),
  },
});

const ignored: ReadonlySet<ProblemCode> = new Set(["not_found", "conflict", "session_cancelled"]);

export const webhookRoutes = createRouter<{ Bindings: Env }>();

webhookRoutes.openapi(webhookRoute, async (c) => {
  const config = liveKitConfig(c.env);
  if (!config)
    throw new ProblemError("service_unavailable", "The video server is not configured (LIVEKIT_API_SECRET).");
  const body = await c.req.text();
  if (!(await verifyWebhook(config, c.req.header("authorization"), body))) {
    throw new ProblemError("unauthorized", "The webhook's signature is missing or does not match its body.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ProblemError("validation_failed", "The webhook body is not JSON.");
  }
  const parsed = WebhookEvent.safeParse(json);
  if (!parsed.success) {
    throw new ProblemError("validation_failed", "The webhook body is not a LiveKit event.", {
      errors: zodFieldErrors(parsed.error),
    });
  }
  const event = parsed.data;
  const roomName = event.room?.name ?? event.egressInfo?.roomName ?? "";
  let applied = false;
  if (isId("live", roomName)) {
    try {
      if (event.event === "room_started") {
        await startSession(c.env, roomName);
        applied = true;
      } else if (event.event === "room_finished") {
        await endSession(c.env, roomName);
        applied = true;
      } else if (event.event === "egress_ended" && event.egressInfo) {
        const url = event.egressInfo.fileResults?.find((f) => f.location)?.location ?? event.egressInfo.file?.location;
        if (url) {
          applied = await recordRecording(database(c.env), {
            sessionId: roomName,
            egressId: event.egressInfo.egressId,
            url,
          });
        }
      }
    } catch (err) {
      // An unknown session, a start after the end, a cancelled session: nothing to do, nor for the server to retry.
      if (!(err instanceof ProblemError) || !ignored.has(err.code)) throw err;
      log("warn", "livekit webhook ignored", { event: event.event, room: roomName, reason: err.message });
    }
  }
  if (applied) purge(c, `/v1/live/sessions/${roomName}`, `/v1/live/sessions/${roomName}/replay`);
  return c.json({ received: true, applied }, 200);
});
