import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demo, demoLiveSessionId } from "../../../dev/demo.ts";
import type { LiveRoom } from "../../../workers/live/src/live-room.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://live${path}`));

describe("GET /v1/live/sessions/{id}", () => {
  it("returns the scheduled demo session with its shelf in order and the room's viewer count", async () => {
    const res = await get(`/v1/live/sessions/${demoLiveSessionId}`);
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id: demoLiveSessionId,
      object: "live_session",
      status: "scheduled",
      host: { type: "creator", id: demo.creators[0]?.id },
      productIds: [demo.products[0]?.id, demo.products[2]?.id],
      viewerCount: 0,
    });
  });

  it("answers 404 for an unknown session without creating its room", async () => {
    const unknown = "live_01JZ0000000000000000009999";
    const res = await get(`/v1/live/sessions/${unknown}`);
    expect(res.status).toBe(404);
    expect((await res.json<{ code: string }>()).code).toBe("not_found");
    const ids = await listDurableObjectIds(env.LIVE_ROOM);
    expect(ids.some((id) => id.equals(env.LIVE_ROOM.idFromName(unknown)))).toBe(false);
  });
});

describe("LiveRoom", () => {
  it("counts the viewers whose sockets it holds", async () => {
    const stub = env.LIVE_ROOM.getByName("room-count-test");
    expect((await stub.snapshot()).viewerCount).toBe(0);
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      for (let i = 0; i < 3; i++) state.acceptWebSocket(new WebSocketPair()[1]);
    });
    expect((await stub.snapshot()).viewerCount).toBe(3);
  });
});

describe("health()", () => {
  it("reports the database and the room namespace as up", async () => {
    const health = await exports.default.health();
    expect(health.status).toBe("ok");
    expect(Object.keys(health.checks).sort()).toEqual(["database", "liveRoom"]);
  });
});
