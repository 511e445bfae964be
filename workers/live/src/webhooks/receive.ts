// receiveWebhook: the video server's signed webhook. The signature is checked on the exact body before anything is
// parsed (unsigned or tampered: 401, nothing changes); room_started and room_finished move the session (the room's
// name is the session id), egress_ended stores the recording URL. Other events and unknown rooms are acknowledged
// and ignored, so the server does not retry them.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { type ProblemCode, ProblemError } from "#shared/errors.ts";
import { zodFieldErrors } from "#shared/http.ts";
import { isId } from "#shared/ids.ts";
import { log } from "#shared/log.ts";
import { liveKitConfig, verifyWebhook } from "../sessions/stream/livekit.ts";
import { endSession, startSession } from "../sessions/transition.ts";
import { recordRecording } from "./record-recording.ts";

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

const ignored: ReadonlySet<ProblemCode> = new Set(["not_found", "conflict", "session_cancelled"]);

/** The event's room (a session id when it is one of ours) and whether anything changed. */
export async function receiveWebhook(
  env: Env,
  authorization: string | undefined,
  body: string,
): Promise<{ roomName: string; applied: boolean }> {
  const config = liveKitConfig(env);
  if (!(await verifyWebhook(config, authorization, body))) {
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
  if (!isId("live", roomName)) return { roomName, applied: false };
  try {
    if (event.event === "room_started") {
      await startSession(env, roomName);
      return { roomName, applied: true };
    }
    if (event.event === "room_finished") {
      await endSession(env, roomName);
      return { roomName, applied: true };
    }
    if (event.event === "egress_ended" && event.egressInfo) {
      const url = event.egressInfo.fileResults?.find((f) => f.location)?.location ?? event.egressInfo.file?.location;
      if (url) {
        const applied = await recordRecording(database(env), {
          sessionId: roomName,
          egressId: event.egressInfo.egressId,
          url,
        });
        return { roomName, applied };
      }
    }
  } catch (err) {
    // An unknown session, a start after the end, a cancelled session: nothing to do, nor for the server to retry.
    if (!(err instanceof ProblemError) || !ignored.has(err.code)) throw err;
    log("warn", "livekit webhook ignored", { event: event.event, room: roomName, reason: err.message });
  }
  return { roomName, applied: false };
}
