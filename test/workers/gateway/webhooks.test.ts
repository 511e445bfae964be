// Webhooks from outside services pass the gateway with their own signature intact; the receiving Worker checks it.
import { AccessToken } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";

async function sha256Base64(body: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  return btoa(String.fromCharCode(...new Uint8Array(hash)));
}

function postLivekit(body: string, authorization?: string) {
  return call("/v1/webhooks/livekit", {
    method: "POST",
    headers: { "content-type": "application/webhook+json", ...(authorization ? { authorization } : {}) },
    body,
  });
}

describe("POST /v1/webhooks/livekit through the gateway", () => {
  it("reaches the live Worker with LiveKit's signature (a bare JWT in Authorization), which it accepts", async () => {
    const body = JSON.stringify({
      event: "room_finished",
      id: `EV_${crypto.randomUUID()}`,
      createdAt: String(Math.floor(Date.now() / 1000)),
      room: { name: "live_01JZ0000000000000000009998" },
    });
    const token = new AccessToken("devkey", "secret", { ttl: "5m" });
    token.sha256 = await sha256Base64(body);
    const res = await postLivekit(body, await token.toJwt());
    // Not the gateway's 401 for a non-Bearer Authorization: the live Worker verified and took the event.
    expect(res.status).toBeLessThan(300);
  });

  it("lets the live Worker refuse a tampered one", async () => {
    const body = JSON.stringify({ event: "room_started", id: "EV_x", room: { name: "live_x" } });
    const token = new AccessToken("devkey", "secret", { ttl: "5m" });
    token.sha256 = await sha256Base64("another body");
    const res = await postLivekit(body, await token.toJwt());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});
