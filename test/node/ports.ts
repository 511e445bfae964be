// Ports of servers a test started: free ones to start on, and whether one has closed.
export { freePort } from "../../dev/ports.ts";

/** True when nothing accepts connections on the port any more. */
export async function portIsClosed(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}
