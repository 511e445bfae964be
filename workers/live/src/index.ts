// The live Worker: live sessions (schedule, edit, start, end, cancel, list), stream tokens, the room socket, replays,
// the video server's webhooks, and people's notification inbox; one LiveRoom Durable Object per session.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { notificationRoutes } from "./notifications/routes.ts";
import { sessionRoutes } from "./sessions/routes.ts";
import { webhookRoutes } from "./webhooks/routes.ts";

export { LiveRoom } from "./room/live-room.ts";

export const app = createApp<{ Bindings: Env }>("live");
app.route("/v1/live/sessions", sessionRoutes);
app.route("/v1/webhooks/livekit", webhookRoutes);
app.route("/v1/notifications", notificationRoutes);

export default class LiveWorker extends serviceEntrypoint(app, (env) => ({
  liveRoom: () => env.LIVE_ROOM.getByName("health-check").snapshot(),
})) {}
