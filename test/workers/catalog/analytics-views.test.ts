// The note view beacon: a view counts once per viewer, note and UTC day in the note's, its author's, its tagged
// products' merchant's and the platform's daily figures (read here from the rollup the checkout Worker serves).
import { describe, expect, it } from "vitest";
import { encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { demo } from "../../../dev/demo.ts";
import { call, db, newCreator, newProduct, newShopper, postNote } from "./notes-fixtures.ts";

const today = () => new Date().toISOString().slice(0, 10);

async function noteViews(kind: string, id: string): Promise<number> {
  const rows = await db().$client.execute({
    sql: "SELECT note_views FROM analytics_daily WHERE scope_kind = ? AND scope_id = ? AND day = ?",
    args: [kind, id, today()],
  });
  return Number(rows.rows[0]?.note_views ?? 0);
}

const guest = (keyId: string) => ({
  [PRINCIPAL_HEADER]: encodePrincipal({
    actor: { type: "anonymous" },
    storefront: { keyId, merchantId: demo.merchants[0]?.id ?? "" },
  }),
});

describe("POST /v1/notes/{id}/views", () => {
  it("counts a viewer once a day, for the note, its creator and its products' merchant", async () => {
    const author = await newCreator();
    const { id } = (await postNote(author, { title: "小黑瓶真的好用", productIds: [await newProduct()] })).note;
    const merchantId = demo.merchants[1]?.id ?? "";
    const merchantBefore = await noteViews("merchant", merchantId);

    const reader = await newShopper();
    for (let i = 0; i < 3; i++) {
      const res = await call("POST", `/v1/notes/${id}/views`, { as: reader, body: {} });
      expect(res.status, await res.clone().text()).toBe(204);
    }
    // A guest of a storefront, twice with one visitor id (one view) and once with another.
    for (const visitorId of ["device-aaaa-1", "device-aaaa-1", "device-bbbb-2"]) {
      const res = await call("POST", `/v1/notes/${id}/views`, {
        headers: guest("key_views_test"),
        body: { visitorId },
      });
      expect(res.status).toBe(204);
    }
    // 1 (the shopper, three times) + 2 (the guest's two devices) = 3.
    expect(await noteViews("note", id)).toBe(3);
    expect(await noteViews("creator", author.id)).toBe(3);
    // Other tests' notes tag this demo merchant's products too: at least these three.
    expect((await noteViews("merchant", merchantId)) - merchantBefore).toBeGreaterThanOrEqual(3);
  });

  it("writes nothing for a repeat this isolate has already written today (the database would count it once)", async () => {
    const { id } = (await postNote(await newCreator(), { title: "只写一次" })).note;
    const reader = await newShopper();
    expect((await call("POST", `/v1/notes/${id}/views`, { as: reader, body: {} })).status).toBe(204);
    expect(await noteViews("note", id)).toBe(1);
    // Without the viewer's row the database would count the next beacon again: only a write could show it.
    await db().$client.execute({ sql: "DELETE FROM analytics_viewers WHERE subject_id = ?", args: [id] });
    expect((await call("POST", `/v1/notes/${id}/views`, { as: reader, body: {} })).status).toBe(204);
    expect(await noteViews("note", id)).toBe(1);
    // Another viewer is written.
    expect((await call("POST", `/v1/notes/${id}/views`, { as: await newShopper(), body: {} })).status).toBe(204);
    expect(await noteViews("note", id)).toBe(2);
  });

  it("refuses a guest without visitorId (400), a call from no storefront (401), a missing note (404)", async () => {
    const { id } = (await postNote(await newCreator(), { title: "无商品" })).note;
    const noVisitor = await call("POST", `/v1/notes/${id}/views`, { headers: guest("key_views_test"), body: {} });
    expect(noVisitor.status).toBe(400);
    expect(await noVisitor.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/visitorId" }] });
    expect((await call("POST", `/v1/notes/${id}/views`, { body: {} })).status).toBe(401);
    const reader = await newShopper();
    expect(
      (await call("POST", "/v1/notes/note_0000000000NOSUCHNOTE000000/views", { as: reader, body: {} })).status,
    ).toBe(404);
    expect(await noteViews("note", id)).toBe(0);
  });
});
