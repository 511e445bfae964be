// One LiveRoom per live session, reached by the session id: the room's viewers are its hibernating WebSockets.
// The live issue grows it into chat, likes, Q&A and the pinned product; the RPC shape starts here.
import { DurableObject } from "cloudflare:workers";

export interface RoomSnapshot {
  viewerCount: number;
}

export class LiveRoom extends DurableObject<Env> {
  snapshot(): RoomSnapshot {
    return { viewerCount: this.ctx.getWebSockets().length };
  }
}
