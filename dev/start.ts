// `npm start`: the whole platform on the embedded default, seeded with demo data, every Worker as its deploy bundle.
// `npm run dev` (`--reload`): the same under `wrangler dev`, which rebuilds and reloads on every edit. Ctrl-C stops
// everything; so does the end of what started it, even killed with SIGKILL (dev/lifeline.ts).
import { exitWithParent, npmAncestors } from "./lifeline.ts";
import { type Platform, startPlatform } from "./platform.ts";

const port = Number(process.env.PORT ?? 8787);
const libsqlPort = Number(process.env.LIBSQL_PORT ?? 8080);
const dataDir = process.env.ZHONGCAO_DATA_DIR ?? ".data";

let platform: Platform | undefined;
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("stopping zhongcao…");
  // Still starting: what has started watches this process, and ends once it has gone.
  await platform?.stop();
  process.exit(code);
}
// npm, the shell it runs this through, and the test run that named itself in ZHONGCAO_EXIT_WITH: when one is gone,
// nobody is left to press Ctrl-C.
exitWithParent((reason) => {
  console.error(`zhongcao is stopping: ${reason}`);
  void shutdown(1);
}, npmAncestors());
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const reload = process.argv.includes("--reload");
platform = await startPlatform({ port, libsqlPort, dataDir, stdio: "inherit", reload }).catch((err: unknown) => {
  console.error(`zhongcao failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const { credentials: c } = platform;
const lines = [
  "",
  "zhongcao is running",
  `  gateway      ${platform.gatewayUrl}        (health: ${platform.gatewayUrl}/health)`,
  `  libSQL       ${platform.libsqlUrl}`,
  `  products     ${platform.gatewayUrl}/v1/products`,
  `  live         ${platform.gatewayUrl}/v1/live/sessions/${c.liveSessionId}`,
  `  flash sale   ${platform.gatewayUrl}/v1/flash-sales/${c.flashSaleId}`,
  `  storefront   ${platform.gatewayUrl}/?key=${c.merchants[0]?.publishableKey ?? ""}`,
  `  merchant     ${platform.gatewayUrl}/merchant        (type in a secret key below)`,
  "",
  `demo credentials (also in ${platform.credentialsFile})`,
  `  operator key       ${platform.operatorKey}   (Authorization: Bearer …; PLATFORM_ADMIN_KEY)`,
  ...c.merchants.flatMap((m) => [
    `  ${m.name}  ${m.id}`,
    `    secret key       ${m.secretKey}`,
    `    publishable key  ${m.publishableKey}`,
  ]),
  ...c.creators.flatMap((cr) => [`  creator ${cr.name}  ${cr.id}`, `    creator key      ${cr.creatorKey}`]),
  "",
  "Ctrl-C stops everything.",
  "",
];
console.log(lines.join("\n"));

platform.exited.then((which) => {
  if (stopping) return;
  console.error(`${which} exited unexpectedly; stopping the rest.`);
  void shutdown(1);
});
