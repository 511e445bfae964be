// `npm run db:migrate`: applies pending migrations to LIBSQL_URL (default: the local server on LIBSQL_PORT or 8080).
import { connect, migrateDatabase, targetFromEnv } from "./database.ts";

const target = await targetFromEnv();
const db = connect(target);
await migrateDatabase(db);
db.$client.close();
console.log(`migrations applied to ${target.url}`);
