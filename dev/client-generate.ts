// `npm run client:generate`: the platform on free ports over a temporary data folder, its /openapi.json written to
// shared/client/openapi.json and the client's types to shared/client/schema.d.ts; then everything is stopped.
import { writeFile } from "node:fs/promises";
import { normalise, typesOf } from "#shared/client/generate.ts";
import { withTemporaryPlatform } from "./platform.ts";

await withTemporaryPlatform("client", async (platform) => {
  const res = await fetch(`${platform.gatewayUrl}/openapi.json`);
  if (res.status !== 200) throw new Error(`/openapi.json: ${res.status}`);
  const document = normalise((await res.json()) as Record<string, unknown>);
  await writeFile("shared/client/openapi.json", document);
  await writeFile("shared/client/schema.d.ts", await typesOf(document));
  console.log("wrote shared/client/openapi.json and shared/client/schema.d.ts");
});
