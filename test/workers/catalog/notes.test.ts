import { describe, expect, it } from "vitest";
import { decodeAttribution } from "#shared/attribution.ts";
import {
  call,
  image,
  type NoteBody,
  newCreator,
  newProduct,
  newShopper,
  type ProblemBody,
  postNote,
} from "./notes-fixtures.ts";

describe("POST /v1/notes", () => {
  it("posts a creator's note with tagged products priced, stock states and attribution references", async () => {
    const creator = await newCreator("林测试");
    const inStock = await newProduct([
      { price: 12900, stock: 0 },
      { price: 8900, stock: 3 },
    ]);
    const soldOut = await newProduct([{ price: 5000, stock: 0 }]);
    const res = await call("POST", "/v1/notes", {
      as: creator,
      body: {
        title: "  黄皮显白口红  ",
        body: "真的显白！#口红试色 #Lipstick\n第二支 #口红试色",
        images: [image(1), image(2)],
        topics: ["#完美日记", "lipstick"],
        productIds: [soldOut, inStock],
      },
    });
    expect(res.status).toBe(201);
    const note = await res.json<NoteBody>();
    expect(res.headers.get("location")).toBe(`/v1/notes/${note.id}`);
    expect(res.headers.get("etag")).toMatch(new RegExp(`^"${note.id}\\.v1-[0-9a-f]+"$`));
    expect(note).toMatchObject({
      object: "note",
      title: "黄皮显白口红",
      author: { type: "creator", id: creator.id, name: "林测试" },
      // explicit topics first, then the body's hashtags; repeats (any case) once
      topics: ["完美日记", "lipstick", "口红试色"],
      likeCount: 0,
      saveCount: 0,
      commentCount: 0,
    });
    // tags keep the author's order; price is the lowest SKU price
    expect(note.products.map((p) => [p.id, p.price, p.inStock])).toEqual([
      [soldOut, { amount: 5000, currency: "CNY" }, false],
      [inStock, { amount: 8900, currency: "CNY" }, true],
    ]);
    for (const p of note.products) {
      expect(decodeAttribution(p.attribution)).toEqual({
        ok: true,
        attribution: { noteId: note.id, liveSessionId: null, creatorId: creator.id, productId: p.id },
      });
    }
  });

  it("lets a shopper post; their tags credit no creator", async () => {
    const shopper = await newShopper("爱买的小王");
    const product = await newProduct();
    const { note } = await postNote(shopper, { productIds: [product] });
    expect(note.author).toMatchObject({ type: "shopper", id: shopper.id, name: "爱买的小王" });
    const decoded = decodeAttribution(note.products[0]?.attribution ?? "");
    expect(decoded.ok && decoded.attribution.creatorId).toBeNull();
  });

  it.each([
    ["title too long", { title: "长".repeat(101) }, "/title"],
    ["empty title", { title: "   " }, "/title"],
    ["body too long", { body: "x".repeat(5001) }, "/body"],
    ["no images", { images: [] }, "/images"],
    ["19 images", { images: Array.from({ length: 19 }, (_, i) => image(i)) }, "/images"],
    ["an image that is not a URL", { images: ["not a url"] }, "/images/0"],
    ["11 topics", { topics: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "/topics"],
    ["a 31-character topic", { topics: ["a".repeat(31)] }, "/topics/0"],
    ["a topic with spaces", { topics: ["two words"] }, "/topics/0"],
    ["topics plus hashtags over 10", { topics: ["a", "b", "c", "d", "e", "f"], body: "#g #h #i #j #k" }, "/topics"],
    ["21 product tags", { productIds: Array.from({ length: 21 }, (_, i) => `prod_${i}`) }, "/productIds"],
    ["a product id of another kind", { productIds: ["sku_01"] }, "/productIds/0"],
    ["an unknown field", { price: 1 }, "/price"],
  ])("refuses %s with a problem naming the field", async (_, fields, path) => {
    const res = await call("POST", "/v1/notes", {
      as: await newShopper(),
      body: { title: "t", images: [image()], ...fields },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = await res.json<ProblemBody>();
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors?.map((e) => e.path)).toContain(path);
  });

  it("accepts the bounds themselves", async () => {
    const { note } = await postNote(await newShopper(), {
      title: "长".repeat(100),
      body: "x".repeat(5000),
      images: Array.from({ length: 18 }, (_, i) => image(i)),
      topics: Array.from({ length: 10 }, (_, i) => `${"话".repeat(29)}${i}`),
    });
    expect(note.images).toHaveLength(18);
    expect(note.topics).toHaveLength(10);
  });

  it("tags only existing, active products, naming each one at fault", async () => {
    const draft = await newProduct([{ price: 100, stock: 1 }], "draft");
    const active = await newProduct();
    const res = await call("POST", "/v1/notes", {
      as: await newShopper(),
      body: { title: "t", images: [image()], productIds: [active, draft, "prod_01JZ9999999999999999999999"] },
    });
    expect(res.status).toBe(400);
    const problem = await res.json<ProblemBody>();
    expect(problem.errors?.map((e) => e.path)).toEqual(["/productIds/1", "/productIds/2"]);
  });

  it("answers 401 problem+json without a signed-in person, before looking at the body", async () => {
    for (const headers of [
      {} as Record<string, string>,
      {
        "x-zhongcao-principal": JSON.stringify({
          actor: { type: "merchant", merchantId: "mer_x", keyId: "k", scopes: [], mode: "test" },
          storefront: null,
        }),
      },
    ]) {
      const res = await call("POST", "/v1/notes", { headers, body: { nonsense: true } });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((await res.json<ProblemBody>()).code).toBe("unauthorized");
    }
  });

  it("replays a retried post with the same Idempotency-Key instead of posting twice", async () => {
    const shopper = await newShopper();
    const key = crypto.randomUUID();
    const body = { title: "只发一次", images: [image()] };
    const first = await call("POST", "/v1/notes", { as: shopper, body, headers: { "idempotency-key": key } });
    const again = await call("POST", "/v1/notes", { as: shopper, body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json<NoteBody>()).id).toBe((await first.json<NoteBody>()).id);
  });
});

describe("GET /v1/notes/{id}", () => {
  it("is public, cached briefly, and answers If-None-Match with 304 until something shown changes", async () => {
    const author = await newShopper();
    const { note, etag } = await postNote(author);
    const res = await call("GET", `/v1/notes/${note.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+/);
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.json<NoteBody>()).toEqual(note);

    const cached = await call("GET", `/v1/notes/${note.id}`, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    // a like changes the counts shown, so the cached copy is stale
    expect((await call("PUT", `/v1/notes/${note.id}/like`, { as: await newShopper() })).status).toBe(200);
    const fresh = await call("GET", `/v1/notes/${note.id}`, { headers: { "if-none-match": etag } });
    expect(fresh.status).toBe(200);
    expect((await fresh.json<NoteBody>()).likeCount).toBe(1);
  });

  it("answers 404 for an unknown note and 400 for an id of another kind", async () => {
    expect((await call("GET", "/v1/notes/note_01JZ9999999999999999999999")).status).toBe(404);
    const res = await call("GET", "/v1/notes/prod_01JZ0000000000000000000001");
    expect(res.status).toBe(400);
    expect((await res.json<ProblemBody>()).errors?.[0]?.path).toBe("/id");
  });
});

describe("PATCH /v1/notes/{id}", () => {
  it("lets the author edit with If-Match; a stale ETag gets 412; a like in between does not", async () => {
    const author = await newCreator();
    const product = await newProduct();
    const { note, etag } = await postNote(author, { body: "旧 #old", topics: ["mine"] });
    expect(note.topics).toEqual(["mine", "old"]);
    // somebody likes it: the ETag's digest changes, its version does not
    await call("PUT", `/v1/notes/${note.id}/like`, { as: await newShopper() });

    const res = await call("PATCH", `/v1/notes/${note.id}`, {
      as: author,
      headers: { "if-match": etag },
      body: { body: "新 #new", productIds: [product] },
    });
    expect(res.status).toBe(200);
    const edited = await res.json<NoteBody>();
    // topics that came from the old body's hashtags follow the body; explicit ones stay
    expect(edited).toMatchObject({ body: "新 #new", topics: ["mine", "new"], likeCount: 1, title: note.title });
    expect(edited.products.map((p) => p.id)).toEqual([product]);
    const newEtag = res.headers.get("etag") ?? "";
    expect(newEtag).toMatch(new RegExp(`^"${note.id}\\.v2-`));

    const stale = await call("PATCH", `/v1/notes/${note.id}`, {
      as: author,
      headers: { "if-match": etag },
      body: { title: "迟到的修改" },
    });
    expect(stale.status).toBe(412);
    expect((await stale.json<ProblemBody>()).code).toBe("precondition_failed");

    const untagged = await call("PATCH", `/v1/notes/${note.id}`, {
      as: author,
      headers: { "if-match": newEtag },
      body: { productIds: [], topics: ["only"] },
    });
    expect(untagged.status).toBe(200);
    expect(await untagged.json<NoteBody>()).toMatchObject({ products: [], topics: ["only", "new"] });
  });

  it("of two edits holding the same ETag, exactly one wins", async () => {
    const author = await newShopper();
    const { note, etag } = await postNote(author);
    const results = await Promise.all(
      ["A", "B", "C"].map((t) =>
        call("PATCH", `/v1/notes/${note.id}`, { as: author, headers: { "if-match": etag }, body: { title: t } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
  });

  it("answers 404 to another person (as if the note did not exist) and 401 to nobody", async () => {
    const { note } = await postNote(await newShopper());
    const other = await call("PATCH", `/v1/notes/${note.id}`, { as: await newShopper(), body: { title: "mine now" } });
    expect(other.status).toBe(404);
    expect((await other.json<ProblemBody>()).code).toBe("not_found");
    expect((await call("PATCH", `/v1/notes/${note.id}`, { body: { title: "x" } })).status).toBe(401);
    expect((await call("DELETE", `/v1/notes/${note.id}`, { as: await newCreator() })).status).toBe(404);
  });

  it("refuses an empty patch, unknown fields and bounds like a post", async () => {
    const author = await newShopper();
    const { note } = await postNote(author);
    for (const [body, path] of [
      [{}, ""],
      [{ status: "deleted" }, "/status"],
      [{ images: [] }, "/images"],
      [{ title: "t".repeat(101) }, "/title"],
    ] as const) {
      const res = await call("PATCH", `/v1/notes/${note.id}`, { as: author, body });
      expect(res.status).toBe(400);
      expect((await res.json<ProblemBody>()).errors?.map((e) => e.path)).toContain(path);
    }
  });
});

describe("DELETE /v1/notes/{id}", () => {
  it("soft-deletes the author's note: gone from reads and further writes", async () => {
    const author = await newShopper();
    const { note } = await postNote(author);
    expect(
      (await call("DELETE", `/v1/notes/${note.id}`, { as: author, headers: { "if-match": '"x.v9"' } })).status,
    ).toBe(412);
    expect((await call("DELETE", `/v1/notes/${note.id}`, { as: author })).status).toBe(204);
    expect((await call("GET", `/v1/notes/${note.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/notes/${note.id}`, { as: author })).status).toBe(404);
    expect((await call("PATCH", `/v1/notes/${note.id}`, { as: author, body: { title: "x" } })).status).toBe(404);
    expect((await call("PUT", `/v1/notes/${note.id}/like`, { as: author })).status).toBe(404);
    expect((await call("GET", `/v1/notes/${note.id}/comments`)).status).toBe(404);
  });
});
