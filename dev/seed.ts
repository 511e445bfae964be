// `npm run db:seed`: the demo data on LIBSQL_URL (default: the local server on LIBSQL_PORT or 8080), idempotently.
import { connect, targetFromEnv } from "./database.ts";
import { seedDemoData } from "./seed-data.ts";

const target = await targetFromEnv();
const db = connect(target);
const credentials = await seedDemoData(db);
db.$client.close();
console.log(JSON.stringify(credentials, null, 2));
