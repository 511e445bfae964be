// Pictures picked in the console go up one by one through POST /v1/uploads (its bytes, its own type); what a
// product, a SKU or a live session then names is the media id the API answers.
import { type Api, idempotent, unwrap } from "./api.ts";

/** Uploads every file picked in `files` and answers their media ids, in order. */
export async function uploadAll(api: Api, files: FileList | null): Promise<string[]> {
  const ids: string[] = [];
  for (const file of Array.from(files ?? [])) {
    const media = unwrap(
      await api.POST("/v1/uploads", {
        // The body is the file itself, not JSON.
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { "content-type": file.type || "application/octet-stream", ...idempotent() },
      }),
    );
    ids.push(media.id);
  }
  return ids;
}
