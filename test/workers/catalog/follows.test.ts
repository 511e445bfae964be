import { describe, expect, it } from "vitest";
import { demo } from "../../../dev/demo.ts";
import { call, newCreator, newShopper, type ProblemBody } from "./notes-fixtures.ts";

interface FollowState {
  object: string;
  followeeId: string;
  following: boolean;
  followerCount: number;
}
interface FollowList {
  data: { object: string; followee: { type: string; id: string; name: string; followerCount: number } }[];
  nextCursor: string | null;
}

describe("PUT and DELETE /v1/follows/{followeeId}", () => {
  it("follows a creator once per person, idempotently, with an exact follower count", async () => {
    const creator = await newCreator();
    const fans = await Promise.all([newShopper(), newShopper(), newCreator()]);
    for (const fan of fans) {
      for (let i = 0; i < 2; i++) {
        const res = await call("PUT", `/v1/follows/${creator.id}`, { as: fan });
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toBe("private, no-store");
      }
    }
    const [first] = fans;
    if (!first) throw new Error("no fans");
    const again = await call("PUT", `/v1/follows/${creator.id}`, { as: first });
    expect(await again.json<FollowState>()).toEqual({
      object: "follow",
      followeeId: creator.id,
      following: true,
      followerCount: 3,
    });
    for (let i = 0; i < 2; i++) {
      const res = await call("DELETE", `/v1/follows/${creator.id}`, { as: first });
      expect(await res.json<FollowState>()).toMatchObject({ following: false, followerCount: 2 });
    }
  });

  it("stays exact under concurrency", async () => {
    const creator = await newCreator();
    const fan = await newShopper();
    await Promise.all(Array.from({ length: 20 }, () => call("PUT", `/v1/follows/${creator.id}`, { as: fan })));
    const people = await Promise.all(Array.from({ length: 20 }, () => newShopper()));
    await Promise.all(people.map((p) => call("PUT", `/v1/follows/${creator.id}`, { as: p })));
    await Promise.all(people.slice(0, 5).map((p) => call("DELETE", `/v1/follows/${creator.id}`, { as: p })));
    const res = await call("PUT", `/v1/follows/${creator.id}`, { as: fan });
    expect((await res.json<FollowState>()).followerCount).toBe(16);
  });

  it("follows a merchant", async () => {
    const merchant = demo.merchants[2]?.id ?? "";
    const fan = await newShopper();
    const before = (await (await call("DELETE", `/v1/follows/${merchant}`, { as: fan })).json<FollowState>())
      .followerCount;
    const res = await call("PUT", `/v1/follows/${merchant}`, { as: fan });
    expect(await res.json<FollowState>()).toMatchObject({ following: true, followerCount: before + 1 });
  });

  it("refuses nobody (401), unknown accounts (404), other kinds of id (400) and following oneself (400)", async () => {
    const creator = await newCreator();
    const anonymous = await call("PUT", `/v1/follows/${creator.id}`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json<ProblemBody>()).code).toBe("unauthorized");
    const fan = await newShopper();
    expect((await call("PUT", "/v1/follows/cre_01JZ9999999999999999999999", { as: fan })).status).toBe(404);
    expect((await call("PUT", "/v1/follows/mer_01JZ9999999999999999999999", { as: fan })).status).toBe(404);
    const wrongKind = await call("PUT", `/v1/follows/${fan.id}`, { as: await newShopper() });
    expect(wrongKind.status).toBe(400);
    expect((await wrongKind.json<ProblemBody>()).errors?.[0]?.path).toBe("/followeeId");
    const self = await call("PUT", `/v1/follows/${creator.id}`, { as: creator });
    expect(self.status).toBe(400);
    expect((await call("GET", "/v1/follows")).status).toBe(401);
  });
});

describe("GET /v1/follows", () => {
  it("lists whom I follow, newest first, paged without repeats", async () => {
    const fan = await newShopper();
    const followees = [await newCreator("甲"), await newCreator("乙"), await newCreator("丙")].map((c) => c.id);
    followees.push(demo.merchants[0]?.id ?? "");
    for (const id of followees) expect((await call("PUT", `/v1/follows/${id}`, { as: fan })).status).toBe(200);
    const seen: FollowList["data"] = [];
    let cursor: string | null = null;
    do {
      const res = await call("GET", `/v1/follows?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        as: fan,
      });
      expect(res.status).toBe(200);
      const page = await res.json<FollowList>();
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((f) => f.followee.id)).toEqual([...followees].reverse());
    expect(seen[0]?.followee).toMatchObject({ type: "merchant", name: demo.merchants[0]?.name });
    expect(seen[3]?.followee).toMatchObject({ type: "creator", name: "甲", followerCount: 1 });
    const bad = await call("GET", "/v1/follows?cursor=nope", { as: fan });
    expect(bad.status).toBe(400);
  });
});
