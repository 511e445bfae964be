import { describe, expect, it } from "vitest";
import {
  call,
  demoCreator,
  type NoteBody,
  newCreator,
  newShopper,
  type ProblemBody,
  postNote,
} from "./notes-fixtures.ts";

interface CommentBody {
  id: string;
  object: string;
  noteId: string;
  author: { type: string; id: string; name: string | null };
  body: string;
}

const read = async (noteId: string) => (await call("GET", `/v1/notes/${noteId}`)).json<NoteBody>();

describe.each([
  ["like", "liked", "likeCount"],
  ["save", "saved", "saveCount"],
] as const)("PUT and DELETE /v1/notes/{id}/%s", (reaction, flag, countField) => {
  it("counts once per person, however often they repeat it, and undoes once", async () => {
    const { note } = await postNote(await newShopper());
    const fan = await newShopper();
    for (let i = 0; i < 3; i++) {
      const res = await call("PUT", `/v1/notes/${note.id}/${reaction}`, { as: fan });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ noteId: note.id, [flag]: true, [countField]: 1 });
    }
    for (let i = 0; i < 2; i++) {
      const res = await call("DELETE", `/v1/notes/${note.id}/${reaction}`, { as: fan });
      expect(await res.json()).toEqual({ noteId: note.id, [flag]: false, [countField]: 0 });
    }
    expect((await read(note.id))[countField]).toBe(0);
  });

  it("stays exact under concurrency: 20 at once by one person count 1, by 20 people count 20", async () => {
    const { note } = await postNote(await newCreator());
    const fan = await newShopper();
    const same = await Promise.all(
      Array.from({ length: 20 }, () => call("PUT", `/v1/notes/${note.id}/${reaction}`, { as: fan })),
    );
    expect(same.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await read(note.id))[countField]).toBe(1);

    const people = await Promise.all(Array.from({ length: 20 }, () => newShopper()));
    const many = await Promise.all(people.map((p) => call("PUT", `/v1/notes/${note.id}/${reaction}`, { as: p })));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await read(note.id))[countField]).toBe(21);

    // half undo while the other half repeat their like: only the undos count
    const mixed = await Promise.all(
      people.map((p, i) => call(i % 2 ? "PUT" : "DELETE", `/v1/notes/${note.id}/${reaction}`, { as: p })),
    );
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    expect((await read(note.id))[countField]).toBe(11);
  });

  it("needs a person (401) and an existing note (404)", async () => {
    const { note } = await postNote(await newShopper());
    const anonymous = await call("PUT", `/v1/notes/${note.id}/${reaction}`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json<ProblemBody>()).code).toBe("unauthorized");
    const missing = await call("PUT", `/v1/notes/note_01JZ9999999999999999999999/${reaction}`, {
      as: await newShopper(),
    });
    expect(missing.status).toBe(404);
  });
});

describe("comments", () => {
  it("adds, lists newest first with cursor paging, and keeps commentCount exact", async () => {
    const author = demoCreator(2);
    const { note } = await postNote(author);
    const commenter = await newShopper("评论的人");
    const posted: CommentBody[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call("POST", `/v1/notes/${note.id}/comments`, { as: commenter, body: { body: `第${i}条` } });
      expect(res.status).toBe(201);
      posted.push(await res.json<CommentBody>());
    }
    expect(posted[0]).toMatchObject({
      object: "comment",
      noteId: note.id,
      body: "第0条",
      author: { type: "shopper", id: commenter.id, name: "评论的人" },
    });
    expect((await read(note.id)).commentCount).toBe(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        "GET",
        `/v1/notes/${note.id}/comments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toContain("public");
      const page = await res.json<{ data: CommentBody[]; nextCursor: string | null }>();
      seen.push(...page.data.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(posted.map((c) => c.id).reverse());
  });

  it("answers If-None-Match on the list with 304", async () => {
    const { note } = await postNote(await newShopper());
    await call("POST", `/v1/notes/${note.id}/comments`, { as: await newShopper(), body: { body: "好" } });
    const first = await call("GET", `/v1/notes/${note.id}/comments`);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    expect((await call("GET", `/v1/notes/${note.id}/comments`, { headers: { "if-none-match": etag } })).status).toBe(
      304,
    );
  });

  it("may be removed by its author or the note's author, by nobody else (404); the count stays exact", async () => {
    const noteAuthor = await newCreator();
    const { note } = await postNote(noteAuthor);
    const commenter = await newShopper();
    const stranger = await newShopper();
    const add = async () =>
      (
        await (
          await call("POST", `/v1/notes/${note.id}/comments`, { as: commenter, body: { body: "hi" } })
        ).json<CommentBody>()
      ).id;
    const [a, b] = [await add(), await add()];
    expect((await read(note.id)).commentCount).toBe(2);

    expect((await call("DELETE", `/v1/notes/${note.id}/comments/${a}`, { as: stranger })).status).toBe(404);
    expect((await call("DELETE", `/v1/notes/${note.id}/comments/${a}`)).status).toBe(401);
    // removing the same comment concurrently lowers the count once
    const removals = await Promise.all(
      Array.from({ length: 5 }, () => call("DELETE", `/v1/notes/${note.id}/comments/${a}`, { as: commenter })),
    );
    expect(removals.map((r) => r.status)).toContain(204);
    expect((await read(note.id)).commentCount).toBe(1);
    expect((await call("DELETE", `/v1/notes/${note.id}/comments/${b}`, { as: noteAuthor })).status).toBe(204);
    expect((await read(note.id)).commentCount).toBe(0);
    const list = await (await call("GET", `/v1/notes/${note.id}/comments`)).json<{ data: CommentBody[] }>();
    expect(list.data).toEqual([]);
  });

  it("refuses an empty, too long or unexpected comment body", async () => {
    const { note } = await postNote(await newShopper());
    const who = await newShopper();
    for (const [body, path] of [
      [{ body: "  " }, "/body"],
      [{ body: "长".repeat(1001) }, "/body"],
      [{ body: "ok", rating: 5 }, "/rating"],
    ] as const) {
      const res = await call("POST", `/v1/notes/${note.id}/comments`, { as: who, body });
      expect(res.status).toBe(400);
      expect((await res.json<ProblemBody>()).errors?.map((e) => e.path)).toContain(path);
    }
    expect((await call("POST", `/v1/notes/${note.id}/comments`, { body: { body: "ok" } })).status).toBe(401);
    expect((await read(note.id)).commentCount).toBe(0);
  });

  it("replays a retried comment with the same Idempotency-Key", async () => {
    const { note } = await postNote(await newShopper());
    const who = await newShopper();
    const headers = { "idempotency-key": crypto.randomUUID() };
    const first = await call("POST", `/v1/notes/${note.id}/comments`, { as: who, body: { body: "一次" }, headers });
    const again = await call("POST", `/v1/notes/${note.id}/comments`, { as: who, body: { body: "一次" }, headers });
    expect((await again.json<CommentBody>()).id).toBe((await first.json<CommentBody>()).id);
    expect((await read(note.id)).commentCount).toBe(1);
  });
});
