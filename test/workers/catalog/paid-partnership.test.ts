// The paid-partnership label: a note submitted for a merchant's paid collaboration names the brand on the note
// (GET /v1/notes/{id}), in the discover and following feeds and in the personal feed's cards; a note not submitted
// for one (or only applied with) has none.
import { describe, expect, it } from "vitest";
import { summariesOf } from "../../../workers/catalog/src/feed/personal.ts";
import { partnerMerchant, submitForCollaboration } from "../paid-partnership-fixture.ts";
import { call, db, newCreator, newShopper, postNote } from "./notes-fixtures.ts";

interface Labelled {
  id: string;
  paidPartnership: { label: string; merchantId: string; merchantName: string; collaborationId: string } | null;
}

describe("the paid-partnership label", () => {
  it("is on the note, in the feeds and in the personal feed's cards, and only on the submitted note", async () => {
    const creator = await newCreator();
    const topic = `合作${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
    const paid = (await postNote(creator, { topics: [topic] })).note.id;
    const plain = (await postNote(creator, { topics: [topic] })).note.id;
    const applied = (await postNote(creator, { topics: [topic] })).note.id;
    const collaborationId = await submitForCollaboration(paid, creator.id);
    await submitForCollaboration(applied, creator.id, "applied");
    const label = {
      label: "paid_partnership",
      merchantId: partnerMerchant.id,
      merchantName: partnerMerchant.name,
      collaborationId,
    };
    const labels = (cards: Labelled[]) =>
      Object.fromEntries(
        cards.filter((c) => [paid, plain, applied].includes(c.id)).map((c) => [c.id, c.paidPartnership]),
      );
    const expected = { [paid]: label, [plain]: null, [applied]: null };

    // The note itself.
    for (const id of [paid, plain]) {
      const res = await call("GET", `/v1/notes/${id}`);
      expect(res.status).toBe(200);
      expect((await res.json<Labelled>()).paidPartnership).toEqual(expected[id]);
    }
    // The discover feed of the topic.
    const discover = await call("GET", `/v1/feed?type=discover&topic=${encodeURIComponent(topic)}&limit=10`);
    expect(labels((await discover.json<{ data: Labelled[] }>()).data)).toEqual(expected);
    // The following feed of one who follows the creator.
    const follower = await newShopper();
    expect((await call("PUT", `/v1/follows/${creator.id}`, { as: follower })).status).toBeLessThan(300);
    const following = await call("GET", "/v1/feed?type=following&limit=10", { as: follower });
    expect(following.status).toBe(200);
    expect(labels((await following.json<{ data: Labelled[] }>()).data)).toEqual(expected);
    // The personal feed's cards.
    expect(labels(await summariesOf(db(), [paid, plain, applied]))).toEqual(expected);
  });
});
