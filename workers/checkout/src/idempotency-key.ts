// The Idempotency-Key header, checked as shared/idempotency.ts checks it, for the writes whose replay is kept
// elsewhere than the shared table (flash-sale reservations keep theirs in the sale's object).
import type { Context } from "hono";
import { ProblemError } from "#shared/errors.ts";

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export function requireIdempotencyKey(c: Context): string {
  const key = c.req.header("idempotency-key");
  if (key === undefined) {
    throw new ProblemError(
      "validation_failed",
      "This request must carry an Idempotency-Key header, so that it can be retried safely.",
      { errors: [{ path: "/headers/idempotency-key", message: "required" }] },
    );
  }
  if (!keyPattern.test(key)) {
    throw new ProblemError("validation_failed", "Idempotency-Key must be 1 to 255 printable ASCII characters.", {
      errors: [{ path: "/headers/idempotency-key", message: "1 to 255 printable ASCII characters" }],
    });
  }
  return key;
}
