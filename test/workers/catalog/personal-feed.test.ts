// The personalised discover feed, interest profiles (/v1/me/interests), feedback and related notes, through the
// catalog Worker with the principal header the gateway sends. Each test makes its own topics, people and notes;
// what is learnt is written after the response, so tests wait for it to land (expect.poll) before reading on.
import { describe, expect, it } from "vitest";
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { capFor } from "../../../workers/catalog/src/feed/rank.ts";
import { countReaches } from "../count-reaches.ts";
import { as } from "../principals.ts";
import { call, db, newCreator, newShopper, type Person, postNote } from "./notes-fixtures.ts";

interface Card {
  id: string;
  topics: string[];
  author: { id: string };
}
interface FeedPage {
  data: Card[];
  nextCursor: string | null;
}
interface Interest {
  key: string;
  weight: number;
  why: string;
  signals: Record<string, number>;
}
interface Interests {
  topics: Interest[];
  categories: Interest[];
  creators: Interest[];
  merchants: Interest[];
  hidden: { kind: string; key: string }[];
}

const uniqueTopic = (p: string) => `${p}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;

async function feed(query: string, headers: Record<string, string>): Promise<FeedPage> {
  const res = await call("GET", `/v1/feed?type=discover&${query}`, { headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<FeedPage>();
}

async function interests(person: Person): Promise<Interests> {
  const res = await call("GET", "/v1/me/interests", { as: person });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Interests>();
}

/** Waits until the hot list of `topic` holds `count` notes (written after each note's response). */
async function listed(topic: string, count: number): Promise<void> {
  const sql = "SELECT count(*) AS n FROM note_tags WHERE kind = 'topic' AND key = ?";
  await countReaches(db().$client, sql, [topic.toLowerCase()], count);
}

/** Waits until `person`'s profile has counted `n` of `signal` on `topic`. */
async function learnt(person: Person, topic: string, signal: string, n: number): Promise<void> {
  await expect
    .poll(async () => (await interests(person)).topics.find((t) => t.key === topic)?.signals[signal] ?? 0, {
      timeout: 10_000,
      interval: 50,
    })
    .toBe(n);
}

/** `perCreator` notes on `topic` by each of `creators` new creators. */
async function notesOn(topic: string, creators: number, perCreator: number, listedBefore = 0) {
  const authors = await Promise.all(Array.from({ length: creators }, () => newCreator()));
  const notes: { id: string; author: Person }[] = [];
  for (const author of authors) {
    for (let i = 0; i < perCreator; i++) {
      const { note } = await postNote(author, { title: `${topic} ${i}`, topics: [topic] });
      notes.push({ id: note.id, author });
    }
  }
  await listed(topic, listedBefore + creators * perCreator);
  return { authors, notes };
}

async function like(person: Person, noteId: string): Promise<void> {
  const res = await call("PUT", `/v1/notes/${noteId}/like`, { as: person });
  expect(res.status).toBe(200);
}

const guest = (keyId: string) => ({
  [PRINCIPAL_HEADER]: encodePrincipal({
    actor: { type: "anonymous" },
    storefront: { keyId, merchantId: "mer_test" },
  }),
});

describe("the personalised discover feed", () => {
  it("a shopper who likes only storage notes gets mostly storage notes, without repeats across pages", async () => {
    const storage = uniqueTopic("storage");
    const other = uniqueTopic("other");
    const { notes } = await notesOn(storage, 10, 2);
    const popular = await notesOn(other, 5, 2);
    // The other topic is far more engaged with than the storage notes.
    const fans = await Promise.all(Array.from({ length: 3 }, () => newShopper()));
    for (const fan of fans) for (const n of popular.notes) await like(fan, n.id);
    const shopper = await newShopper();
    for (const n of notes.slice(0, 3)) await like(shopper, n.id);
    await learnt(shopper, storage, "like", 3);

    const first = await feed("limit=10", shopper.headers);
    expect(first.nextCursor?.startsWith("p.")).toBe(true);
    const onStorage = (p: FeedPage) => p.data.filter((c) => c.topics.includes(storage)).length;
    expect(onStorage(first)).toBeGreaterThanOrEqual(7);
    // Liked notes are not offered again.
    expect(first.data.map((c) => c.id)).not.toContain(notes[0]?.id);
    const second = await feed(`limit=10&cursor=${encodeURIComponent(first.nextCursor ?? "")}`, shopper.headers);
    expect(onStorage(second)).toBeGreaterThanOrEqual(5);
    const ids = [...first.data, ...second.data].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.data.length).toBe(10);

    const mine = await interests(shopper);
    expect(mine.topics[0]?.key).toBe(storage);
    expect(mine.topics[0]?.why).toBe("liked 3 notes");
    expect(mine.creators.length).toBeGreaterThan(0);
  });

  it("one creator never fills a page, even the one the shopper likes most", async () => {
    const topic = uniqueTopic("prolific");
    const { notes, authors } = await notesOn(topic, 1, 12);
    await notesOn(topic, 6, 1, 12);
    const shopper = await newShopper();
    for (const n of notes.slice(0, 2)) await like(shopper, n.id);
    await learnt(shopper, topic, "like", 2);
    const page = await feed("limit=10", shopper.headers);
    const byProlific = page.data.filter((c) => c.author.id === authors[0]?.id).length;
    expect(byProlific).toBeGreaterThan(0);
    expect(byProlific).toBeLessThanOrEqual(capFor(10));
    const perAuthor = new Map<string, number>();
    for (const c of page.data) perAuthor.set(c.author.id, (perAuthor.get(c.author.id) ?? 0) + 1);
    expect(Math.max(...perAuthor.values())).toBeLessThanOrEqual(capFor(10));
  });

  it("not interested in a note hides its creator from the next page and says so", async () => {
    const topic = uniqueTopic("nope");
    const { notes, authors } = await notesOn(topic, 6, 2);
    const shopper = await newShopper();
    await like(shopper, notes[0]?.id ?? "");
    await like(shopper, notes[2]?.id ?? "");
    await learnt(shopper, topic, "like", 2);
    // A short first page: what it shows counts as seen, and the next page must still have this topic to show.
    const before = await feed("limit=3", shopper.headers);
    const target = before.data.find((c) => c.topics.includes(topic));
    expect(target).toBeDefined();
    const res = await call("POST", "/v1/feed/feedback", {
      as: shopper,
      body: { noteId: target?.id, signal: "not_interested" },
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const after = await feed("limit=10", shopper.headers);
    expect(after.data.map((c) => c.author.id)).not.toContain(target?.author.id);
    expect(after.data.some((c) => c.topics.includes(topic))).toBe(true);
    expect((await interests(shopper)).hidden).toContainEqual({ kind: "creator", key: target?.author.id });
    expect(authors.map((a) => a.id)).toContain(target?.author.id);

    const missing = await call("POST", "/v1/feed/feedback", {
      as: shopper,
      body: { noteId: "note_00000000000000000000000000", signal: "not_interested" },
    });
    expect(missing.status).toBe(404);
    const bad = await call("POST", "/v1/feed/feedback", { as: shopper, body: { noteId: target?.id, signal: "meh" } });
    expect(bad.status).toBe(400);
    const nobody = await call("POST", "/v1/feed/feedback", { body: { noteId: target?.id, signal: "not_interested" } });
    expect(nobody.status).toBe(401);
  });

  it("a reset forgets the profile and returns the shopper to the cold start", async () => {
    const topic = uniqueTopic("reset");
    const { notes } = await notesOn(topic, 3, 1);
    const shopper = await newShopper();
    await like(shopper, notes[0]?.id ?? "");
    await learnt(shopper, topic, "like", 1);
    expect((await feed("limit=5", shopper.headers)).nextCursor?.startsWith("p.")).toBe(true);
    const seen = async () =>
      Number(
        (
          await db().$client.execute({
            sql: "SELECT count(*) AS n FROM feed_seen WHERE profile_id = ?",
            args: [shopper.id],
          })
        ).rows[0]?.n,
      );
    // What the page showed is written after its response: the reset must find it there to forget it.
    await expect.poll(seen, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);

    const res = await call("DELETE", "/v1/me/interests", { as: shopper });
    expect(res.status).toBe(204);
    const empty = await interests(shopper);
    expect(empty).toEqual({ topics: [], categories: [], creators: [], merchants: [], hidden: [] });
    const cold = await feed("limit=5", shopper.headers);
    // The cold start is the global ranking: its cursor, not a personal one.
    expect(cold.data.length).toBe(5);
    expect(cold.nextCursor?.startsWith("p.")).toBe(false);
    expect(await seen()).toBe(0);
  });

  it("guests get a feed, and a guest's views with dwell teach it", async () => {
    const topic = uniqueTopic("guest");
    const { notes } = await notesOn(topic, 10, 1);
    const keyId = `key_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const visitorId = `v_${crypto.randomUUID().replaceAll("-", "")}`;
    const anonymous = await feed("limit=5", {});
    expect(anonymous.data.length).toBe(5);
    const cold = await feed(`limit=5&visitorId=${visitorId}`, guest(keyId));
    expect(cold.data.length).toBe(5);
    expect(cold.nextCursor?.startsWith("p.")).toBe(false);

    for (const n of notes.slice(0, 2)) {
      const res = await call("POST", `/v1/notes/${n.id}/views`, {
        headers: guest(keyId),
        body: { visitorId, dwellMs: 30_000 },
      });
      expect(res.status, await res.clone().text()).toBe(204);
    }
    await expect
      .poll(
        async () => {
          const page = await feed(`limit=10&visitorId=${visitorId}`, guest(keyId));
          return page.data.filter((c) => c.topics.includes(topic)).length;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(6);
    // Another guest of the same storefront, and the same visitor id at another storefront, learnt nothing.
    const other = await feed("limit=10&visitorId=someone_else_1", guest(keyId));
    expect(other.nextCursor?.startsWith("p.")).toBe(false);
    const elsewhere = await feed(`limit=10&visitorId=${visitorId}`, guest(`${keyId}x`));
    expect(elsewhere.nextCursor?.startsWith("p.")).toBe(false);
  });

  it("profiles are their owner's alone: another shopper, a merchant and a guest see nothing of them", async () => {
    const topic = uniqueTopic("private");
    const { notes } = await notesOn(topic, 2, 1);
    const owner = await newShopper();
    const other = await newShopper();
    await like(owner, notes[0]?.id ?? "");
    await learnt(owner, topic, "like", 1);
    expect((await interests(other)).topics.map((t) => t.key)).not.toContain(topic);
    const merchant = await call("GET", "/v1/me/interests", {
      headers: as({ type: "merchant", merchantId: "mer_x", keyId: "key_x", scopes: ["analytics:read"], mode: "test" }),
    });
    expect(merchant.status).toBe(401);
    expect((await call("GET", "/v1/me/interests")).status).toBe(401);
    expect((await call("DELETE", "/v1/me/interests")).status).toBe(401);
    // A merchant's discover is the global one, whatever visitorId it passes.
    const asMerchant = await call("GET", `/v1/feed?type=discover&limit=3&visitorId=${owner.id.slice(4)}`, {
      headers: as({ type: "merchant", merchantId: "mer_x", keyId: "key_x", scopes: [], mode: "test" }),
    });
    expect((await asMerchant.json<FeedPage>()).nextCursor?.startsWith("p.")).toBe(false);
    // The personal feed is never cacheable by a shared cache.
    const res = await call("GET", "/v1/feed?type=discover&limit=3", { as: owner });
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("what the profile learns from", () => {
  it("a read with its dwell, a comment and a follow each count, with why", async () => {
    const topic = uniqueTopic("signals");
    const { notes, authors } = await notesOn(topic, 1, 1);
    const reader = await newShopper();
    const noteId = notes[0]?.id ?? "";
    const view = await call("POST", `/v1/notes/${noteId}/views`, { as: reader, body: { dwellMs: 40_000 } });
    expect(view.status).toBe(204);
    const comment = await call("POST", `/v1/notes/${noteId}/comments`, { as: reader, body: { body: "收藏了" } });
    expect(comment.status).toBe(201);
    const follow = await call("PUT", `/v1/follows/${authors[0]?.id}`, { as: reader });
    expect(follow.status).toBe(200);
    await learnt(reader, topic, "comment", 1);
    await expect
      .poll(async () => (await interests(reader)).creators.find((c) => c.key === authors[0]?.id)?.why, {
        timeout: 10_000,
      })
      .toBe("you follow them, commented on 1, viewed 1");
    const mine = await interests(reader);
    expect(mine.topics.find((t) => t.key === topic)?.signals).toEqual({ view: 1, comment: 1 });
    const bad = await call("POST", `/v1/notes/${noteId}/views`, { as: reader, body: { dwellMs: -1 } });
    expect(bad.status).toBe(400);
  });
});

describe("GET /v1/notes/{id}/related", () => {
  it("holds its topic's notes and what the same people engaged with elsewhere; never the note itself", async () => {
    const topic = uniqueTopic("rel");
    const elsewhere = uniqueTopic("relother");
    const author = await newCreator();
    const { note: seed } = await postNote(author, { title: "seed", topics: [topic] });
    const { note: coNote } = await postNote(await newCreator(), { title: "co", topics: [elsewhere] });
    const { note: sameTopic } = await postNote(await newCreator(), { title: "same", topics: [topic] });
    await listed(topic, 2);
    await listed(elsewhere, 1);
    const people = await Promise.all(Array.from({ length: 3 }, () => newShopper()));
    for (const p of people) {
      await like(p, seed.id);
      await like(p, coNote.id);
    }
    const res = await call("GET", `/v1/notes/${seed.id}/related?limit=5`);
    expect(res.status, await res.clone().text()).toBe(200);
    const { data } = await res.json<{ data: Card[] }>();
    // Its own topic first; then the topic its likers also like, which it shares nothing with.
    expect(data[0]?.id).toBe(sameTopic.id);
    expect(data.map((c) => c.id)).toContain(coNote.id);
    expect(data.map((c) => c.id)).not.toContain(seed.id);
    expect(res.headers.get("cache-control")).toContain("public");

    const missing = await call("GET", "/v1/notes/note_00000000000000000000000000/related");
    expect(missing.status).toBe(404);
  });
});
