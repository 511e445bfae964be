// The search Worker: product, note and live-session search over libSQL FTS (the search issue builds it).
// Until then it answers only its health check; every /v1/search route is a problem+json 404.
import { serviceEntrypoint } from "../../../shared/entrypoint.ts";
import { createApp } from "../../../shared/http.ts";

export const app = createApp<{ Bindings: Env }>("search");

export default class SearchWorker extends serviceEntrypoint(app) {}
