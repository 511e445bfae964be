// The live Worker's part of /openapi.json: the room socket is declared like every route, its frames' schemas are
// components generated from the zod schemas that validate them.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("openapi()", () => {
  it("declares the room socket's upgrade, its 101, and the client and server frames as components", async () => {
    const { paths, schemas } = await exports.default.openapi();
    const room = (paths["/v1/live/sessions/{id}/room"] as Record<string, Record<string, unknown>>).get;
    expect(room).toMatchObject({
      responses: { 101: { description: expect.stringContaining("Switching Protocols") } },
      "x-websocket": {
        clientFrame: { $ref: "#/components/schemas/LiveRoomClientFrame" },
        serverFrame: { $ref: "#/components/schemas/LiveRoomServerFrame" },
      },
    });
    expect(room?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "upgrade", in: "header", required: true }),
        expect.objectContaining({ name: "token", in: "query" }),
        expect.objectContaining({ name: "lastSeq", in: "query" }),
      ]),
    );
    const frameTypes = (name: string) =>
      (
        (schemas[name] as { anyOf?: unknown[]; oneOf?: unknown[] }).anyOf ??
        (schemas[name] as { oneOf: unknown[] }).oneOf
      ).map((s) => (s as { properties: { type: { enum: string[] } } }).properties.type.enum[0]);
    expect(frameTypes("LiveRoomClientFrame")).toEqual(expect.arrayContaining(["comment", "like", "pin", "resume"]));
    expect(frameTypes("LiveRoomServerFrame")).toEqual(
      expect.arrayContaining(["likes", "viewers", "pinned", "status", "welcome", "error", "resync"]),
    );
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(["/v1/notifications", "/v1/notifications/{id}/read", "/v1/notifications/read-all"]),
    );
    expect(Object.keys(paths["/v1/live/sessions/{id}"] as object)).toEqual(expect.arrayContaining(["get", "patch"]));
  });
});
