// The benchmarks' webhook receivers answer 500 to the first delivery of every `every`th message (its retry gets a
// 200) and keep each message's first 200 and the count of its 200s, so retries are exercised and duplicates show.
import type { Received } from "../test/webhook-receiver.ts";

export function flakyAnswers(every: number) {
  const seen = new Set<string>();
  const state = {
    /** By webhook-id: the delivery first answered 200, and how many were. */
    delivered: new Map<string, { first: Received; count: number }>(),
    answered500: 0,
    answer(received: Received): number {
      if (!seen.has(received.id)) {
        seen.add(received.id);
        if (seen.size % every === 0) {
          state.answered500++;
          return 500;
        }
      }
      const known = state.delivered.get(received.id);
      if (known) known.count++;
      else state.delivered.set(received.id, { first: received, count: 1 });
      return 200;
    },
  };
  return state;
}
