// End to end through the real gateway (`npm start` on free ports): a demo creator schedules a session, a guest
// shopper gets stream tokens, and both open the room socket through the gateway's service-binding forward.
import { TokenVerifier } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { demo } from "../../../dev/demo.ts";
import { npmStartForFile } from "./npm-start.ts";

const platform = await npmStartForFile("live");
const gateway = platform.gateway;

interface Credentials {
  merchants: { publishableKey: string }[];
  creators: { id: string; creatorKey: string }[];
}

async function post(pathname: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gateway}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Opens a socket and resolves with it and its frames once the welcome arrives (bounded). */
function openSocket(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    const timer = setTimeout(() => reject(new Error("no welcome within 10 s")), 10_000);
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data)) as Record<string, unknown>;
      frames.push(frame);
      if (frame.type === "welcome") {
        clearTimeout(timer);
        resolve({ ws, frames });
      }
    });
    ws.addEventListener("error", () => reject(new Error(`socket error for ${url}`)));
  });
}

describe("live shopping through the gateway", () => {
  it("a creator schedules, a guest shopper gets tokens, and both meet in the room over WebSockets", async () => {
    const credentials = await platform.credentials<Credentials>();
    const creator = credentials.creators[0];
    const creatorSession = await post("/v1/creator-sessions", { creatorKey: creator?.creatorKey });
    expect(creatorSession.status).toBe(201);
    const creatorToken = ((await creatorSession.json()) as { accessToken: string }).accessToken;
    const asCreator = { authorization: `Bearer ${creatorToken}` };

    const created = await post(
      "/v1/live/sessions",
      {
        title: "端到端直播",
        scheduledStartAt: new Date(Date.now() + 600_000).toISOString(),
        productIds: [demo.products[0]?.id],
      },
      asCreator,
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const sessionId = ((await created.json()) as { id: string }).id;

    const publishable = { "x-publishable-key": credentials.merchants[0]?.publishableKey ?? "" };
    const guest = await post("/v1/shopper-sessions", {}, publishable);
    expect(guest.status, await guest.clone().text()).toBe(201);
    const shopperToken = ((await guest.json()) as { accessToken: string }).accessToken;
    const asShopper = { ...publishable, authorization: `Bearer ${shopperToken}` };

    const viewerTokens = await post(`/v1/live/sessions/${sessionId}/token`, { name: "路人" }, asShopper);
    expect(viewerTokens.status, await viewerTokens.clone().text()).toBe(200);
    const viewer = (await viewerTokens.json()) as { token: string; roomToken: string; roomUrl: string; role: string };
    expect(viewer.role).toBe("viewer");
    expect(viewer.roomUrl).toBe(`${gateway.replace("http:", "ws:")}/v1/live/sessions/${sessionId}/room`);
    expect(await new TokenVerifier("devkey", "secret").verify(viewer.token)).toMatchObject({
      video: { room: sessionId, canPublish: false },
    });

    const hostTokens = (await (await post(`/v1/live/sessions/${sessionId}/token`, {}, asCreator)).json()) as {
      roomToken: string;
      roomUrl: string;
    };
    const host = await openSocket(`${hostTokens.roomUrl}?token=${hostTokens.roomToken}`);
    const shopper = await openSocket(`${viewer.roomUrl}?token=${viewer.roomToken}`);
    expect(shopper.frames[0]).toMatchObject({ type: "welcome", role: "viewer" });

    const arrived = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the comment did not arrive within 10 s")), 10_000);
      host.ws.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data)) as Record<string, unknown>;
        if (frame.type === "comment") {
          clearTimeout(timer);
          resolve(frame);
        }
      });
    });
    shopper.ws.send(JSON.stringify({ type: "comment", body: "从网关进来的评论" }));
    expect(await arrived).toMatchObject({ comment: { body: "从网关进来的评论", name: "路人" } });
    host.ws.close();
    shopper.ws.close();

    // A room socket with a forged token is refused before the upgrade (the handshake fails; no welcome).
    await expect(openSocket(`${viewer.roomUrl}?token=${viewer.roomToken.slice(0, -4)}AAAA`)).rejects.toThrow(
      /socket error/,
    );
  });
});
