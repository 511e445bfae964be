// The paid-partnership label in search: a note submitted for a merchant's paid collaboration names the brand in its
// hit; the creator's other notes, and a note only applied with, have none.
import { describe, expect, it } from "vitest";
import { partnerMerchant, submitForCollaboration } from "../paid-partnership-fixture.ts";
import { search } from "./client.ts";
import { newCreator, newNote, uniqueWord } from "./fixtures.ts";

describe("the paid-partnership label in search", () => {
  it("is on the hit of the submitted note only", async () => {
    const word = uniqueWord("pp");
    const creatorId = await newCreator();
    const paid = await newNote({ creatorId, title: `合作笔记 ${word}` });
    const plain = await newNote({ creatorId, title: `日常笔记 ${word}` });
    const applied = await newNote({ creatorId, title: `申请中 ${word}` });
    const collaborationId = await submitForCollaboration(paid, creatorId, "approved");
    await submitForCollaboration(applied, creatorId, "applied");
    const result = await search({ q: word, type: "notes" });
    expect(Object.fromEntries(result.data.map((hit) => [hit.id, hit.paidPartnership]))).toEqual({
      [paid]: {
        label: "paid_partnership",
        merchantId: partnerMerchant.id,
        merchantName: partnerMerchant.name,
        collaborationId,
      },
      [plain]: null,
      [applied]: null,
    });
  });
});
