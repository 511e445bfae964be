import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { liveSessions, notes } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { call, db, newCreator, newShopper, type Person, type ProblemBody, postNote } from "./notes-fixtures.ts";

interface Card {
  id: string;
  object: string;
  topics: string[];
  likeCount: number;
  author: { id: string };
}
interface LiveCard {
  id: string;
  object: string;
  badge: string;
  host: { type: string; id: string };
}
interface FeedPage {
  live: LiveCard[];
  data: Card[];
  nextCursor: string | null;
}

async function readAll(query: string, as?: Person, limit = 2): Promise<{ ids: string[]; pages: FeedPage[] }> {
  const pages: FeedPage[] = [];
  let cursor: string | null = null;
  do {
    const res = await call(
      "GET",
      `/v1/feed?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      {
        ...(as ? { as } : {}),
      },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const page = await res.json<FeedPage>();
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 100);
  return { ids: pages.flatMap((p) => p.data.map((n) => n.id)), pages };
}

async function goLive(host: { creatorId: string }): Promise<string> {
  const id = newId("live");
  const now = new Date().toISOString();
  await db().insert(liveSessions).values({
    id,
    hostType: "creator",
    creatorId: host.creatorId,
    title: "直播中",
    status: "live",
    scheduledStartAt: now,
    startedAt: now,
  });
  return id;
}

async function schedule(host: { creatorId: string }, inMs: number): Promise<string> {
  const id = newId("live");
  await db()
    .insert(liveSessions)
    .values({
      id,
      hostType: "creator",
      creatorId: host.creatorId,
      title: "预告",
      status: "scheduled",
      scheduledStartAt: new Date(Date.now() + inMs).toISOString(),
    });
  return id;
}

const uniqueTopic = () => `t${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
const hour = 3_600_000;

describe("GET /v1/feed?type=following", () => {
  it("shows notes by the creators I follow, newest first, paged without repeats, live sessions first", async () => {
    const [followed1, followed2, stranger] = [await newCreator(), await newCreator(), await newCreator()];
    const me = await newShopper();
    for (const c of [followed1, followed2]) await call("PUT", `/v1/follows/${c.id}`, { as: me });
    const mine: string[] = [];
    for (const author of [followed1, followed2, stranger, followed1, followed2, followed1]) {
      const { note } = await postNote(author);
      if (author !== stranger) mine.push(note.id);
    }
    const later = await schedule({ creatorId: followed1.id }, 48 * hour);
    const onAir = await goLive({ creatorId: followed2.id });
    const elsewhere = await goLive({ creatorId: stranger.id });
    const soon = await schedule({ creatorId: followed2.id }, hour);
    const strangersPlan = await schedule({ creatorId: stranger.id }, hour);
    const past = await schedule({ creatorId: followed1.id }, -hour);

    const { ids, pages } = await readAll("type=following", me);
    expect(ids).toEqual([...mine].reverse());
    expect(pages.length).toBe(3);
    // On air first with its badge, then the followed hosts' upcoming sessions, soonest first.
    expect(pages[0]?.live).toEqual([
      expect.objectContaining({ id: onAir, object: "live_session", badge: "live" }),
      expect.objectContaining({ id: soon, badge: "upcoming" }),
      expect.objectContaining({ id: later, badge: "upcoming" }),
    ]);
    expect(pages[0]?.live.map((l) => l.id)).not.toContain(strangersPlan);
    expect(pages[0]?.live.map((l) => l.id)).not.toContain(past);
    expect(pages.slice(1).every((p) => p.live.length === 0)).toBe(true);
    expect(pages[0]?.live.map((l) => l.id)).not.toContain(elsewhere);

    const discover = await (await call("GET", "/v1/feed?type=discover&limit=1")).json<FeedPage>();
    expect(discover.live.map((l) => l.id)).toEqual(expect.arrayContaining([onAir, elsewhere]));
    expect(discover.live.every((l) => l.badge === "live")).toBe(true);
    await db()
      .update(liveSessions)
      .set({ status: "ended" })
      .where(inArray(liveSessions.id, [onAir, elsewhere, soon, later, strangersPlan, past]));
  });

  it("is private, and needs a person", async () => {
    const res = await call("GET", "/v1/feed?type=following", { as: await newShopper() });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("private");
    const anonymous = await call("GET", "/v1/feed?type=following");
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json<ProblemBody>()).code).toBe("unauthorized");
  });

  it("drops a deleted note and the notes of someone I unfollow", async () => {
    const [a, b] = [await newCreator(), await newCreator()];
    const me = await newShopper();
    for (const c of [a, b]) await call("PUT", `/v1/follows/${c.id}`, { as: me });
    const { note: gone } = await postNote(a);
    const { note: kept } = await postNote(a);
    const { note: unfollowed } = await postNote(b);
    await call("DELETE", `/v1/notes/${gone.id}`, { as: a });
    await call("DELETE", `/v1/follows/${b.id}`, { as: me });
    expect((await readAll("type=following", me)).ids).toEqual([kept.id]);
    expect(unfollowed.id).toBeTruthy();
  });
});

describe("GET /v1/feed?type=discover", () => {
  it("ranks by (likes + 2·saves + 3·comments + 1) / (ageHours + 2)^1.5, paged without repeats", async () => {
    const topic = uniqueTopic();
    const author = await newCreator();
    const now = Date.now();
    // [likes, saves, comments, age in hours]
    const specs = [
      [0, 0, 0, 0],
      [0, 0, 0, 5],
      [50, 0, 0, 5],
      [0, 25, 0, 5],
      [0, 0, 17, 5],
      [1000, 200, 30, 48],
      [3, 1, 1, 1],
      [0, 0, 0, 0],
    ] as const;
    const rows = specs.map(([likes, saves, comments, age]) => ({
      id: newId("note"),
      creatorId: author.id,
      title: `rank ${likes}/${saves}/${comments}/${age}h`,
      body: "",
      images: ["https://img.example.com/x.jpg"],
      topics: [topic],
      likeCount: likes,
      saveCount: saves,
      commentCount: comments,
      createdAt: new Date(now - age * hour).toISOString(),
    }));
    await db().insert(notes).values(rows);
    const score = (r: (typeof rows)[number]) =>
      (r.likeCount + 2 * r.saveCount + 3 * r.commentCount + 1) / ((now - Date.parse(r.createdAt)) / hour + 2) ** 1.5;
    const expected = [...rows].sort((x, y) => score(y) - score(x) || (y.id > x.id ? 1 : -1)).map((r) => r.id);

    const { ids } = await readAll(`type=discover&topic=${topic}`, undefined, 3);
    expect(ids).toEqual(expected);
    // ties (same counts and age) fall back to the newest id
    const [tieA, tieB] = [rows[0]?.id ?? "", rows[7]?.id ?? ""];
    expect(ids.indexOf(tieB)).toBeLessThan(ids.indexOf(tieA));
  });

  it("keeps its cursor stable: later pages rank with the first page's clock and ignore newer notes", async () => {
    const topic = uniqueTopic();
    const author = await newCreator();
    const first: string[] = [];
    for (let i = 0; i < 5; i++) first.push((await postNote(author, { topics: [topic] })).note.id);
    const page1 = await (await call("GET", `/v1/feed?type=discover&topic=${topic}&limit=2`)).json<FeedPage>();
    // a new note would rank first, and the top note gets a like: neither repeats nor skips anything
    const { note: newer } = await postNote(author, { topics: [topic] });
    const top = page1.data[0]?.id ?? "";
    await call("PUT", `/v1/notes/${top}/like`, { as: await newShopper() });
    const rest: string[] = [];
    let cursor = page1.nextCursor;
    while (cursor) {
      const page = await (
        await call("GET", `/v1/feed?type=discover&topic=${topic}&limit=2&cursor=${encodeURIComponent(cursor)}`)
      ).json<FeedPage>();
      expect(page.live).toEqual([]);
      rest.push(...page.data.map((n) => n.id));
      cursor = page.nextCursor;
    }
    const all = [...page1.data.map((n) => n.id), ...rest];
    expect(all).toHaveLength(5);
    expect(new Set(all)).toEqual(new Set(first));
    expect(all).not.toContain(newer.id);
    // a fresh first page sees it
    const fresh = await (await call("GET", `/v1/feed?type=discover&topic=${topic}&limit=10`)).json<FeedPage>();
    expect(fresh.data.map((n) => n.id)).toContain(newer.id);
  });

  it("is public, with an ETag answering If-None-Match with 304", async () => {
    const topic = uniqueTopic();
    await postNote(await newShopper(), { body: `#${topic}` });
    const res = await call("GET", `/v1/feed?topic=%23${topic}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/^public/);
    const body = await res.json<FeedPage>();
    expect(body.data.map((n) => n.topics)).toEqual([[topic]]);
    const etag = res.headers.get("etag") ?? "";
    expect((await call("GET", `/v1/feed?topic=%23${topic}`, { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("finds the demo notes by the topics in their bodies", async () => {
    const { ids } = await readAll("type=discover&topic=收纳", undefined, 10);
    expect(ids).toContain(demo.notes[2]?.id);
  });

  it.each([
    ["type=popular", "/type"],
    ["cursor=garbage", "/cursor"],
    ["limit=101", "/limit"],
    ["topic=two%20words", "/topic"],
    ["colour=red", "/colour"],
  ])("refuses %s naming %s", async (query, path) => {
    const res = await call("GET", `/v1/feed?${query}`);
    expect(res.status).toBe(400);
    expect((await res.json<ProblemBody>()).errors?.map((e) => e.path)).toContain(path);
  });
});
