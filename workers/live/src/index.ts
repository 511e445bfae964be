// The live Worker: live sessions (schedule, edit, start, end, cancel, list), stream tokens, the room socket, replays,
// the video server's webhooks, and people's notification inbox; one LiveRoom Durable Object per session.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { replayRoutes } from "./routes/replay.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { streamRoutes } from "./routes/stream.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export { LiveRoom } from "./live-room.ts";

export const app = createApp<{ Bindings: Env }>("live");
app.route("/v1/live/sessions", sessionRoutes);
app.route("/v1/live/sessions", streamRoutes);
app.route("/v1/live/sessions", replayRoutes);
app.route("/v1/webhooks/livekit", webhookRoutes);
app.route("/v1/notifications", notificationRoutes);

export default class LiveWorker extends serviceEntrypoint(app, (env) => ({
  liveRoom: () => env.LIVE_ROOM.getByName("health-check").snapshot(),
})) {}
