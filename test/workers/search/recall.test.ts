// Recall@10 over the labelled set (labelled.ts): its catalogue written for a merchant and a creator of this file's
// own, and every labelled query searched within them. On failure the message lists each query's misses.
import { beforeAll, expect, it } from "vitest";
import { ids, search } from "./client.ts";
import { newCreator, newMerchant, newNote, newProduct } from "./fixtures.ts";
import { hashtags, labelledNotes, labelledProducts, labelledQueries, recallAt10 } from "./labelled.ts";

let merchantId: string;
let creatorId: string;
const keyOf = new Map<string, string>();

beforeAll(async () => {
  merchantId = await newMerchant("标注测试店");
  creatorId = await newCreator("标注测试博主");
  for (const product of labelledProducts) {
    const id = await newProduct({
      merchantId,
      title: product.title,
      description: product.description,
      brand: product.brand,
      category: product.category,
      skus: [{ price: product.price, stock: 10 }],
    });
    keyOf.set(id, product.key);
  }
  for (const note of labelledNotes) {
    const id = await newNote({ creatorId, title: note.title, body: note.body, topics: hashtags(note.body) });
    keyOf.set(id, note.key);
  }
});

it(`finds at least 90% of the expected results in the top ten (${labelledQueries.length} labelled queries)`, async () => {
  const answers: string[][] = [];
  for (const query of labelledQueries) {
    const [scope, id] = query.type === "products" ? ["merchantId", merchantId] : ["creatorId", creatorId];
    const body = await search({ q: query.q, type: query.type, limit: 10, [scope]: id });
    answers.push(ids(body).map((id) => keyOf.get(id) ?? id));
  }
  const report = recallAt10(answers);
  console.info(`search recall@10 ${report.recall.toFixed(3)}; misses: ${report.misses.length}`);
  expect(
    report.recall,
    `recall@10 ${report.recall.toFixed(3)}; misses:\n${report.misses.join("\n")}`,
  ).toBeGreaterThanOrEqual(0.9);
});
