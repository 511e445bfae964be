// `npm run client:generate`: the platform on free ports over a temporary data folder, its /openapi.json written to
// shared/client/openapi.json and the client's types to shared/client/schema.d.ts; then everything is stopped.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { normalise, typesOf } from "../shared/client/generate.ts";
import { startPlatform } from "./platform.ts";
import { freePort } from "./ports.ts";

const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-client-"));
const platform = await startPlatform({
  port: await freePort(),
  libsqlPort: await freePort(),
  dataDir,
  stdio: "ignore",
});
try {
  const res = await fetch(`${platform.gatewayUrl}/openapi.json`);
  if (res.status !== 200) throw new Error(`/openapi.json: ${res.status}`);
  const document = normalise((await res.json()) as Record<string, unknown>);
  await writeFile("shared/client/openapi.json", document);
  await writeFile("shared/client/schema.d.ts", await typesOf(document));
  console.log("wrote shared/client/openapi.json and shared/client/schema.d.ts");
} finally {
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}
