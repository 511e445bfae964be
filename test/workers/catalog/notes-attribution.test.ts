import { describe, expect, it } from "vitest";
import { decodeAttribution, encodeAttribution, resolveAttribution } from "#shared/attribution.ts";
import { demo, demoLiveSessionId } from "../../../dev/demo.ts";
import { call, db, newCreator, newProduct, newShopper, postNote } from "./notes-fixtures.ts";

const ids = {
  noteId: "note_01JZ0000000000000000000001",
  liveSessionId: null,
  creatorId: "cre_01JZ0000000000000000000001",
  productId: "prod_01JZ0000000000000000000001",
};

describe("encodeAttribution / decodeAttribution", () => {
  it("round-trips note, live session, creator and showcase references as opaque attr_ strings", () => {
    for (const a of [
      ids,
      { ...ids, creatorId: null },
      { ...ids, noteId: null, liveSessionId: "live_01JZ0000000000000000000001" },
      // A creator's showcase: neither note nor session.
      { ...ids, noteId: null },
    ]) {
      const ref = encodeAttribution(a);
      expect(ref).toMatch(/^attr_[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
      expect(ref).not.toContain("note_");
      expect(decodeAttribution(ref)).toEqual({ ok: true, attribution: a });
    }
  });

  it("refuses to encode ids of the wrong kind or a reference to nothing", () => {
    expect(() => encodeAttribution({ ...ids, creatorId: "shp_01JZ0000000000000000000001" })).toThrow(TypeError);
    expect(() => encodeAttribution({ ...ids, noteId: null, creatorId: null })).toThrow(TypeError);
  });

  it("rejects tampered and malformed references", () => {
    const ref = encodeAttribution(ids);
    const [payload = "", check = ""] = ref.slice("attr_".length).split(".");
    // the same structure naming another creator, with the old checksum
    const otherCreator = btoa(
      atob(payload.replaceAll("-", "+").replaceAll("_", "/")).replace(
        "cre_01JZ0000000000000000000001",
        "cre_01JZ0000000000000000000002",
      ),
    )
      .replaceAll("=", "")
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    expect(decodeAttribution(`attr_${otherCreator}.${check}`)).toEqual({ ok: false, reason: "checksum" });
    // any one character changed
    for (let i = 0; i < payload.length; i += 7) {
      const c = payload[i] === "A" ? "B" : "A";
      const changed = `attr_${payload.slice(0, i)}${c}${payload.slice(i + 1)}.${check}`;
      expect(decodeAttribution(changed).ok).toBe(false);
    }
    expect(decodeAttribution(`attr_${payload}.00000000`)).toEqual({ ok: false, reason: "checksum" });
    for (const bad of ["", "attr_", ref.replace("attr_", "attx_"), `${ref}x`, "attr_%%%.12345678"]) {
      expect(decodeAttribution(bad)).toEqual({ ok: false, reason: "malformed" });
    }
    // well-formed and checksummed, but wrong kinds of id inside
    const forged = "2~x~~~prod_1";
    expect(decodeAttribution(`attr_${btoa(forged)}.${"0".repeat(8)}`).ok).toBe(false);
  });
});

describe("resolveAttribution (what checkout calls before crediting a sale)", () => {
  it("accepts a reference from a note's tagged product and rejects it for anything else", async () => {
    const creator = await newCreator();
    const [tagged, untagged] = [await newProduct(), await newProduct()];
    const { note } = await postNote(creator, { productIds: [tagged] });
    const ref = note.products[0]?.attribution ?? "";
    expect(await resolveAttribution(db(), ref, tagged)).toEqual({
      ok: true,
      attribution: { noteId: note.id, liveSessionId: null, creatorId: creator.id, productId: tagged },
    });
    // the reference is for one product
    expect(await resolveAttribution(db(), ref, untagged)).toEqual({ ok: false, reason: "mismatch" });
    // a well-formed reference naming a product the note does not tag, or another creator, is refused
    const forgedProduct = encodeAttribution({
      noteId: note.id,
      liveSessionId: null,
      creatorId: creator.id,
      productId: untagged,
    });
    expect(await resolveAttribution(db(), forgedProduct, untagged)).toEqual({ ok: false, reason: "mismatch" });
    const forgedCreator = encodeAttribution({
      noteId: note.id,
      liveSessionId: null,
      creatorId: (await newCreator()).id,
      productId: tagged,
    });
    expect(await resolveAttribution(db(), forgedCreator, tagged)).toEqual({ ok: false, reason: "mismatch" });
    // once the note is deleted, it credits nobody
    await call("DELETE", `/v1/notes/${note.id}`, { as: creator });
    expect(await resolveAttribution(db(), ref, tagged)).toEqual({ ok: false, reason: "not_found" });
  });

  it("credits no creator for a shopper's note", async () => {
    const product = await newProduct();
    const { note } = await postNote(await newShopper(), { productIds: [product] });
    const result = await resolveAttribution(db(), note.products[0]?.attribution ?? "", product);
    expect(result.ok && result.attribution.creatorId).toBeNull();
  });

  it("accepts a live session's reference for a product on its shelf, hosted by the named creator", async () => {
    const host = demo.creators[0]?.id ?? "";
    const shelved = demo.products[0]?.id ?? "";
    const ref = (creatorId: string, productId: string) =>
      encodeAttribution({ noteId: null, liveSessionId: demoLiveSessionId, creatorId, productId });
    expect((await resolveAttribution(db(), ref(host, shelved), shelved)).ok).toBe(true);
    const notShelved = demo.products[1]?.id ?? "";
    expect(await resolveAttribution(db(), ref(host, notShelved), notShelved)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const other = demo.creators[1]?.id ?? "";
    expect(await resolveAttribution(db(), ref(other, shelved), shelved)).toEqual({ ok: false, reason: "mismatch" });
  });
});
