// What the notes, feed and follows tests share: requests as a person (the principal header the gateway sends),
// and fresh shoppers, creators and products of their own, so test files sharing the database never collide.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { creators, inventoryLedger, products, shoppers, skus } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { as } from "../principals.ts";

export const db = () => database(env);

export interface Person {
  id: string;
  headers: Record<string, string>;
}

export async function newShopper(name = "测试小红薯"): Promise<Person> {
  const id = newId("shp");
  await db().insert(shoppers).values({ id, displayName: name });
  return { id, headers: as({ type: "shopper", shopperId: id, sessionId: "sess_test" }) };
}

export async function newCreator(name = "测试博主"): Promise<Person> {
  const id = newId("cre");
  await db()
    .insert(creators)
    .values({ id, name, handle: `h_${id.toLowerCase()}` });
  return { id, headers: as({ type: "creator", creatorId: id, sessionId: "sess_test" }) };
}

export const demoCreator = (n: 1 | 2): Person => {
  const id = demo.creators[n - 1]?.id ?? "";
  return { id, headers: as({ type: "creator", creatorId: id, sessionId: "sess_test" }) };
};

/** An active product of a demo merchant with SKUs at these prices (minor units) and stock. */
export async function newProduct(
  skuSpecs: { price: number; stock: number }[] = [{ price: 8900, stock: 10 }],
  status: "active" | "draft" = "active",
): Promise<string> {
  const id = newId("prod");
  const skuRows = skuSpecs.map((s, i) => ({
    id: newId("sku"),
    productId: id,
    options: { n: String(i) },
    priceAmount: s.price,
    currency: "CNY",
    stock: s.stock,
  }));
  // Stock is always explained by the inventory ledger (a platform invariant other tests check).
  const ledgerRows = skuRows.map((s) => ({
    id: newId("led"),
    skuId: s.id,
    delta: s.stock,
    reason: "initial_stock",
    idempotencyKey: "notes-test",
  }));
  await db().batch([
    db()
      .insert(products)
      .values({
        id,
        merchantId: demo.merchants[1]?.id ?? "",
        title: `测试商品 ${id}`,
        status,
        images: [`https://img.example.com/${id}.jpg`],
      }),
    db().insert(skus).values(skuRows),
    db().insert(inventoryLedger).values(ledgerRows),
  ]);
  return id;
}

export function call(
  method: string,
  path: string,
  options: { as?: Person; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://catalog${path}`, {
      method,
      headers: { "content-type": "application/json", ...options.as?.headers, ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }),
  );
}

export interface NoteBody {
  id: string;
  object: string;
  author: { type: string; id: string; name: string | null };
  title: string;
  body: string;
  images: string[];
  topics: string[];
  products: {
    id: string;
    price: { amount: number; currency: string };
    inStock: boolean;
    attribution: string;
  }[];
  likeCount: number;
  saveCount: number;
  commentCount: number;
}

export interface ProblemBody {
  code: string;
  status: number;
  errors?: { path: string; message: string }[];
}

export const image = (n = 1) => `https://img.example.com/note-${n}.jpg`;

export async function postNote(
  author: Person,
  fields: Record<string, unknown> = {},
): Promise<{ note: NoteBody; etag: string }> {
  const res = await call("POST", "/v1/notes", {
    as: author,
    body: { title: "测试笔记", body: "好用", images: [image()], ...fields },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { note: await res.json<NoteBody>(), etag: res.headers.get("etag") ?? "" };
}
