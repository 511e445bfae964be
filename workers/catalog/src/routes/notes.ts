// Placeholder router: the notes/feed/follows work fills it in.
import { createRouter } from "../../../../shared/http.ts";

export const notesRoutes = createRouter<{ Bindings: Env }>();
