// The inbox: reminder holders (and only they) are notified once when a session goes live or is cancelled; a person
// pages through theirs, sees the unread count, and marks one or all read.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notify } from "#shared/notifications.ts";
import { follows, liveSessionReminders } from "#shared/schema.ts";
import { type Caller, call, db, newCreator, newShopper, scheduled } from "./helpers.ts";

interface Notification {
  id: string;
  object: string;
  kind: string;
  subjectId: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

interface Inbox {
  data: Notification[];
  nextCursor: string | null;
  unreadCount: number;
}

async function inbox(who: Caller, query = ""): Promise<Inbox> {
  const res = await call("GET", `/v1/notifications${query}`, { as: who });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  return res.json();
}

async function remind(sessionId: string, who: Caller): Promise<void> {
  expect((await call("PUT", `/v1/live/sessions/${sessionId}/reminder`, { as: who })).status).toBe(204);
}

async function transition(sessionId: string, verb: "start" | "cancel" | "end", host: Caller): Promise<Response> {
  return call("POST", `/v1/live/sessions/${sessionId}/${verb}`, { as: host });
}

describe("reminders become notifications", () => {
  it("going live notifies every reminder holder once, in the start's transaction; followers without one are not", async () => {
    const host = await newCreator("开播提醒主播");
    const { id } = await scheduled(host, { title: "今晚8点护肤直播" });
    const shopper = await newShopper();
    const creator = await newCreator();
    const follower = await newShopper();
    const cancelledReminder = await newShopper();
    await db().insert(follows).values({ followerId: follower.id, followeeId: host.id });
    await remind(id, shopper);
    await remind(id, creator);
    await remind(id, shopper); // twice: still one reminder
    await remind(id, cancelledReminder);
    expect((await call("DELETE", `/v1/live/sessions/${id}/reminder`, { as: cancelledReminder })).status).toBe(204);

    expect((await transition(id, "start", host)).status).toBe(200);
    // A retried start (the host's button and the video server's room_started) notifies no one twice.
    expect((await transition(id, "start", host)).status).toBe(200);

    for (const who of [shopper, creator]) {
      const box = await inbox(who);
      expect(box.unreadCount).toBe(1);
      expect(box.nextCursor).toBeNull();
      expect(box.data).toEqual([
        {
          id: expect.stringMatching(/^ntf_[0-9A-Z]{26}$/),
          object: "notification",
          kind: "live_session_started",
          subjectId: id,
          title: "开播提醒主播 开播了",
          body: "今晚8点护肤直播",
          link: `/v1/live/sessions/${id}`,
          createdAt: expect.any(String),
          readAt: null,
        },
      ]);
    }
    for (const who of [follower, cancelledReminder]) expect((await inbox(who)).data).toEqual([]);
    // On air, a reminder has nothing left to remind of.
    const late = await call("PUT", `/v1/live/sessions/${id}/reminder`, { as: await newShopper() });
    expect(late.status).toBe(409);
  }, 20_000); // the file's first test starts the Worker cold: on a busy machine, past the default 5 s

  it("cancelling notifies reminder holders; a cancelled session takes no new reminders", async () => {
    const host = await newCreator("取消主播");
    const { id } = await scheduled(host);
    const shopper = await newShopper();
    await remind(id, shopper);
    expect((await transition(id, "cancel", host)).status).toBe(200);
    expect((await transition(id, "cancel", host)).status).toBe(200);
    const box = await inbox(shopper);
    expect(box.data.map((n) => [n.kind, n.subjectId, n.title])).toEqual([
      ["live_session_cancelled", id, "取消主播 取消了直播"],
    ]);
    const late = await call("PUT", `/v1/live/sessions/${id}/reminder`, { as: await newShopper() });
    expect(late.status).toBe(409);
    expect((await late.json<{ code: string }>()).code).toBe("session_cancelled");
  });

  it("notify() gives a notice once per person, kind and subject, however often it runs", async () => {
    const host = await newCreator();
    const { id } = await scheduled(host);
    const shopper = await newShopper();
    await remind(id, shopper);
    const d = db();
    const notice = { kind: "live_session_started" as const, subjectId: id, title: "t", body: "b", link: null };
    const recipients = d
      .select({ personId: liveSessionReminders.personId })
      .from(liveSessionReminders)
      .where(eq(liveSessionReminders.sessionId, id));
    await d.batch([notify(d, notice, recipients), notify(d, notice, recipients)]);
    await notify(d, notice, recipients);
    const mine = (await inbox(shopper)).data.filter((n) => n.subjectId === id);
    expect(mine).toHaveLength(1);
  });
});

describe("the inbox", () => {
  it("pages newest first, filters unread, and marks one or all read", async () => {
    const shopper = await newShopper();
    const host = await newCreator();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await scheduled(host, { title: `直播 ${i}` });
      await remind(id, shopper);
      expect((await transition(id, "start", host)).status).toBe(200);
      ids.push(id);
    }
    const first = await inbox(shopper, "?limit=2");
    expect(first.unreadCount).toBe(5);
    const pages = [first.data];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await inbox(shopper, `?limit=2&cursor=${cursor}`);
      pages.push(next.data);
      cursor = next.nextCursor;
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((n) => n.subjectId)).toEqual([...ids].reverse());

    const newest = first.data[0];
    if (!newest) throw new Error("no notification");
    const read = await call("POST", `/v1/notifications/${newest.id}/read`, { as: shopper });
    expect(read.status).toBe(200);
    const readAt = (await read.json<Notification>()).readAt;
    expect(readAt).toEqual(expect.any(String));
    // Reading again keeps the first time.
    const again = await call("POST", `/v1/notifications/${newest.id}/read`, { as: shopper });
    expect((await again.json<Notification>()).readAt).toBe(readAt);

    const unread = await inbox(shopper, "?unread=true");
    expect(unread.unreadCount).toBe(4);
    expect(unread.data.map((n) => n.id)).not.toContain(newest.id);

    // Someone else's notification is not found; a bad id is a 400.
    const other = await newShopper();
    expect((await call("POST", `/v1/notifications/${newest.id}/read`, { as: other })).status).toBe(404);
    expect((await call("POST", "/v1/notifications/nope/read", { as: shopper })).status).toBe(400);

    const all = await call("POST", "/v1/notifications/read-all", { as: shopper });
    expect(await all.json()).toEqual({ read: 4 });
    expect((await inbox(shopper)).unreadCount).toBe(0);
  });

  it("is for signed-in people only, and refuses a cursor it did not make", async () => {
    expect((await call("GET", "/v1/notifications")).status).toBe(401);
    expect((await call("POST", "/v1/notifications/read-all")).status).toBe(401);
    const res = await call("GET", "/v1/notifications?cursor=bogus", { as: await newShopper() });
    expect(res.status).toBe(400);
  });
});
