// The personalised feed's routes through the gateway: /v1/me reaches the catalog Worker, a shopper's profile is
// learnt from their likes and is theirs alone, and a personal discover page is never answered by the edge cache.
import { describe, expect, it } from "vitest";
import { bearer, call, expectProblem, onboardMerchant, openShopperSession, post, type Session } from "./helpers.ts";

interface Interests {
  topics: { key: string; why: string }[];
}

describe("the personalised feed through the gateway", () => {
  it("learns a shopper's likes into /v1/me/interests, serves them a private feed, and forgets on request", async () => {
    const merchant = await onboardMerchant();
    const shopper = () => openShopperSession(merchant.publishableKey.key);
    const [author, reader, other] = [await shopper(), await shopper(), await shopper()];
    const topic = `gw${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const posted = await call(
      "/v1/notes",
      post(
        {
          title: "收纳好物",
          body: "小空间",
          images: ["https://img.example.com/n.jpg"],
          topics: [topic],
          productIds: [],
        },
        bearer(author.accessToken),
      ),
    );
    expect(posted.status, await posted.clone().text()).toBe(201);
    const note = await posted.json<{ id: string }>();
    const liked = await call(`/v1/notes/${note.id}/like`, { method: "PUT", headers: bearer(reader.accessToken) });
    expect(liked.status).toBe(200);

    const interestsOf = async (s: Session) => {
      const res = await call("/v1/me/interests", { headers: bearer(s.accessToken) });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      return res.json<Interests>();
    };
    await expect
      .poll(async () => (await interestsOf(reader)).topics.map((t) => t.key), { timeout: 10_000 })
      .toContain(topic);
    expect((await interestsOf(reader)).topics.find((t) => t.key === topic)?.why).toBe("liked 1 note");
    expect((await interestsOf(other)).topics).toEqual([]);
    await expectProblem(await call("/v1/me/interests"), 401, "unauthorized");
    await expectProblem(
      await call("/v1/me/interests", { headers: bearer(merchant.secretKey.key) }),
      401,
      "unauthorized",
    );

    for (let i = 0; i < 2; i++) {
      const page = await call("/v1/feed?type=discover&limit=5", { headers: bearer(reader.accessToken) });
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("private, no-store");
      expect(page.headers.get("x-cache")).toBeNull();
    }

    const feedback = await call(
      "/v1/feed/feedback",
      post({ noteId: note.id, signal: "not_interested" }, bearer(reader.accessToken)),
    );
    expect(feedback.status).toBe(204);
    const reset = await call("/v1/me/interests", { method: "DELETE", headers: bearer(reader.accessToken) });
    expect(reset.status).toBe(204);
    expect((await interestsOf(reader)).topics).toEqual([]);
  });
});
