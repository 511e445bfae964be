// The typed client as the console uses it: answers unwrapped to their data or their problem thrown, writes that read
// the section again, and a fresh Idempotency-Key per write.
import type { zhongcao } from "#shared/client/index.ts";

export type Api = ReturnType<typeof zhongcao>;

/** The data of a typed-client answer, or its problem thrown (a form or a page shows it). */
export function unwrap<T>(answer: { data?: T; error?: unknown }): T {
  if (answer.data === undefined) throw answer.error ?? new Error("no answer");
  return answer.data;
}

/**
 * How most console writes end, for a form's action and a button's alike: the API's problem thrown (the form or button
 * shows it), else the section read again to show the outcome. `const write = reloadAfter(reload)`, then
 * `() => write(api.POST(...))`.
 */
export const reloadAfter =
  (reload: () => void) =>
  async (answer: Promise<{ data?: unknown; error?: unknown }>): Promise<undefined> => {
    unwrap(await answer);
    reload();
    return undefined;
  };

/** A unique key for each write a form sends: a resubmitted form is a new write, a retried request is the same. */
export const idempotent = () => ({ "Idempotency-Key": crypto.randomUUID() });
