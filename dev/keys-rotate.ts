// `npm run keys:rotate`: a new current token signing key; the current one becomes previous (its tokens still verify
// until they expire), the previous one is retired (its tokens stop verifying). Against LIBSQL_URL and
// LIBSQL_AUTH_TOKEN, like db:migrate. Gateways pick the change up within 30 s (their per-isolate key cache).
import { activeSigningKeys, rotateSigningKeys } from "#shared/tokens.ts";
import { connect, targetFromEnv } from "./database.ts";

const target = await targetFromEnv();
const db = connect(target);
const kid = await rotateSigningKeys(db);
const active = await activeSigningKeys(db);
db.$client.close();
console.log(`signing keys rotated on ${target.url}`);
for (const key of active) console.log(`  ${key.status.padEnd(8)} ${key.kid}${key.kid === kid ? "  (new)" : ""}`);
