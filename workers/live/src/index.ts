// The live Worker: live sessions and their LiveRoom Durable Objects (stream tokens and the room socket come with the live issue).
import { serviceEntrypoint } from "../../../shared/entrypoint.ts";
import { createApp } from "../../../shared/http.ts";
import { sessionRoutes } from "./routes/sessions.ts";

export { LiveRoom } from "./live-room.ts";

export const app = createApp<{ Bindings: Env }>("live");
app.route("/v1/live/sessions", sessionRoutes);

export default class LiveWorker extends serviceEntrypoint(app, (env) => ({
  liveRoom: () => env.LIVE_ROOM.getByName("health-check").snapshot(),
})) {}
