// The live room's video: the `livekit-client` SDK joins the session's LiveKit room with the viewer's stream token
// and plays what the host publishes in the stage. Bundled on its own (/pages/live-video.js, dev/build-pages.ts):
// the SDK is most of its size, so the storefront loads it only when a room's video server answers.
import { Room, RoomEvent, type Track } from "livekit-client";

/** Joins the room at `url` and plays its tracks in `stage`; answers what leaving must do (disconnect). */
export async function playStream(stage: HTMLElement, url: string, token: string): Promise<() => void> {
  const room = new Room({ adaptiveStream: true });
  const attach = (track: Track) => {
    const element = track.attach();
    element.classList.add("stream");
    stage.classList.add("playing");
    stage.append(element);
  };
  const detach = (track: Track) => {
    for (const element of track.detach()) element.remove();
    if (!stage.querySelector(".stream")) stage.classList.remove("playing");
  };
  room.on(RoomEvent.TrackSubscribed, attach);
  room.on(RoomEvent.TrackUnsubscribed, detach);
  room.on(RoomEvent.Disconnected, () => {
    for (const element of Array.from(stage.querySelectorAll(".stream"))) element.remove();
    stage.classList.remove("playing");
  });
  await room.connect(url, token);
  return () => void room.disconnect();
}
