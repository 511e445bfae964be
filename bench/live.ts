// `npm run bench -- live`: against `npm start`'s stack on free ports, through the gateway:
// 1. stream tokens (POST /v1/live/sessions/{id}/token as signed-in guest shoppers) at 64 concurrent clients, beside
//    GET /health in the same run;
// 2. fan-out: BENCH_LIVE_VIEWERS room sockets (default 1000) in one room; the time from the host's announcement to
//    its arrival at every viewer (p50, p99 over all deliveries);
// 3. a like storm: every viewer taps BENCH_LIVE_LIKES_PER_SECOND likes a second (default 10) for
//    BENCH_LIVE_STORM_SECONDS (default 10) and, as a real client does, sends what it tapped since its last message
//    as one `{ type: "like", count }` every `likeIntervalMs` the room last told it (welcome, viewers); likes sent
//    against the room's final total (waited for until it stops moving), the room's like broadcasts per second.
import { demo } from "../dev/demo.ts";
import { withPlatform } from "./platform.ts";
import { measure, percentile, type Row, summarise, table } from "./stats.ts";

const clients = 64;
const requests = Number(process.env.BENCH_LIVE_REQUESTS ?? 3000);
const viewers = Number(process.env.BENCH_LIVE_VIEWERS ?? 1000);
const announcements = Number(process.env.BENCH_LIVE_ANNOUNCEMENTS ?? 20);
const likesPerSecond = Number(process.env.BENCH_LIVE_LIKES_PER_SECOND ?? 10);
const stormSeconds = Number(process.env.BENCH_LIVE_STORM_SECONDS ?? 10);
/** How often the storm's clients look whether their next like message is due. */
const tickMs = 25;
/** The wait for the room's total after the storm ends when it stops moving for this long. */
const stillForMs = 30_000;

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function post(url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export type Frame = { type: string; [k: string]: unknown };

export interface Socket {
  ws: WebSocket;
  onFrame: ((frame: Frame, at: number) => void) | null;
  /** How often the room wants this client's like messages (its welcome, then every viewers broadcast). */
  likeIntervalMs: number;
  /** The close code and reason, if the socket closed. */
  closed: string | null;
}

const likeIntervalOf = (viewers: unknown): number | undefined =>
  typeof viewers === "object" && viewers !== null && "likeIntervalMs" in viewers
    ? Number(viewers.likeIntervalMs)
    : undefined;

export function connect(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const socket: Socket = { ws, onFrame: null, likeIntervalMs: 250, closed: null };
    const timer = setTimeout(() => reject(new Error("no welcome within 30 s")), 30_000);
    ws.addEventListener("message", (e) => {
      const at = performance.now();
      const frame = JSON.parse(String(e.data)) as Frame;
      const interval = likeIntervalOf(frame.type === "welcome" ? (frame.state as Frame).viewers : frame);
      if ((frame.type === "welcome" || frame.type === "viewers") && interval) socket.likeIntervalMs = interval;
      if (frame.type === "welcome") {
        clearTimeout(timer);
        resolve(socket);
      }
      socket.onFrame?.(frame, at);
    });
    ws.addEventListener("close", (e) => {
      socket.closed = `${e.code} ${e.reason}`.trim();
    });
    ws.addEventListener("error", () => reject(new Error("socket error")));
  });
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function benchLive(): Promise<string> {
  return withPlatform("live", async (platform) => {
    const sockets: Socket[] = [];
    try {
      const gw = platform.gatewayUrl;
      const creds = platform.credentials;
      const creatorKey = creds.creators[0]?.creatorKey ?? "";
      const { accessToken: creatorToken } = await json<{ accessToken: string }>(
        await post(`${gw}/v1/creator-sessions`, { creatorKey }, {}),
      );
      const asCreator = { authorization: `Bearer ${creatorToken}` };
      const session = await json<{ id: string }>(
        await post(
          `${gw}/v1/live/sessions`,
          {
            title: "bench",
            scheduledStartAt: new Date(Date.now() + 60_000).toISOString(),
            productIds: [demo.products[0]?.id],
          },
          asCreator,
        ),
      );
      const publishable = { "x-publishable-key": creds.merchants[0]?.publishableKey ?? "" };
      const shoppers = await Promise.all(
        Array.from({ length: clients }, async () => {
          const { accessToken } = await json<{ accessToken: string }>(
            await post(`${gw}/v1/shopper-sessions`, {}, publishable),
          );
          return { ...publishable, authorization: `Bearer ${accessToken}` };
        }),
      );

      // 1. Tokens beside /health.
      const tokenUrl = `${gw}/v1/live/sessions/${session.id}/token`;
      const token = async (client: number) => {
        const res = await post(tokenUrl, {}, shoppers[client] ?? {});
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`token: ${res.status}`);
      };
      // On a busy machine a dependency check can pass /health's 2 s bound (503): counted, not fatal.
      let healthNot200 = 0;
      const health = async () => {
        const res = await fetch(`${gw}/health`);
        await res.arrayBuffer();
        if (res.status !== 200) healthNot200++;
      };
      await measure("warm-up", clients, 300, health);
      await measure("warm-up", clients, 300, token);
      const baseline: Row = summarise(await measure("GET /health", clients, requests, health));
      const tokens: Row = summarise(await measure("POST /v1/live/sessions/{id}/token", clients, requests, token));

      // 2. Fan-out.
      const viewerTokens = await Promise.all(
        shoppers.map(async (h) => json<{ roomToken: string; roomUrl: string }>(await post(tokenUrl, {}, h))),
      );
      for (let i = 0; i < viewers; i += 50) {
        const batch = Array.from({ length: Math.min(50, viewers - i) }, (_, j) => {
          const t = viewerTokens[(i + j) % viewerTokens.length];
          return connect(`${t?.roomUrl}?token=${t?.roomToken}`);
        });
        sockets.push(...(await Promise.all(batch)));
      }
      const hostTokens = await json<{ roomToken: string; roomUrl: string }>(await post(tokenUrl, {}, asCreator));
      const host = await connect(`${hostTokens.roomUrl}?token=${hostTokens.roomToken}`);
      sockets.push(host);
      const delays: number[] = [];
      for (let n = 0; n < announcements; n++) {
        const body = `announcement ${n}`;
        let pending = viewers;
        const arrived = new Promise<void>((resolve) => {
          for (const s of sockets.slice(0, viewers)) {
            s.onFrame = (frame, at) => {
              if (frame.type === "announcement" && frame.body === body) {
                delays.push(at - sent);
                if (--pending === 0) resolve();
              }
            };
          }
        });
        const sent = performance.now();
        host.ws.send(JSON.stringify({ type: "announce", body }));
        await arrived;
      }
      delays.sort((a, b) => a - b);

      // 3. Like storm: count the like broadcasts one viewer sees, per second.
      const observer = sockets[0];
      const likeFrames: number[] = [];
      let lastTotal = 0;
      for (const s of sockets) s.onFrame = null;
      if (observer) {
        observer.onFrame = (frame, at) => {
          if (frame.type === "likes") {
            // The room's clock: the client's receipt times bunch up while it is busy sending.
            likeFrames.push(typeof frame.at === "string" ? Date.parse(frame.at) : at);
            lastTotal = Number(frame.total);
          }
        };
      }
      // Each viewer taps on the nominal clock and, from a random phase, sends what it tapped since its last message
      // once per the interval the room last told it, until it has sent all its taps.
      const stormMs = stormSeconds * 1000;
      const tapped = (ms: number) => Math.floor((likesPerSecond * Math.min(ms, stormMs)) / 1000);
      const perViewer = tapped(stormMs);
      const tappers = sockets.slice(0, viewers).map((s) => ({ s, sent: 0, due: Math.random() * s.likeIntervalMs }));
      const intervals = new Set<number>();
      let sentLikes = 0;
      let sentMessages = 0;
      const stormStart = performance.now();
      while (tappers.some((c) => c.sent < perViewer)) {
        await new Promise((r) => setTimeout(r, tickMs));
        const elapsed = performance.now() - stormStart;
        for (const c of tappers) {
          if (c.due > elapsed) continue;
          const count = tapped(elapsed) - c.sent;
          if (count > 0) {
            c.s.ws.send(JSON.stringify({ type: "like", count }));
            c.sent += count;
            sentLikes += count;
            sentMessages++;
          }
          intervals.add(c.s.likeIntervalMs);
          c.due = elapsed + c.s.likeIntervalMs;
        }
      }
      const stormSent = performance.now();
      // Wait for the room's total to reach what was sent, or to stop moving.
      let seen = lastTotal;
      let movedAt = performance.now();
      while (lastTotal < sentLikes && performance.now() - movedAt < stillForMs) {
        await new Promise((r) => setTimeout(r, 100));
        if (lastTotal !== seen) {
          seen = lastTotal;
          movedAt = performance.now();
        }
      }
      const drainedAfter = (movedAt - stormSent) / 1000;
      const stormElapsed = (stormSent - stormStart) / 1000;
      const closes = new Map<string, number>();
      for (const x of sockets) if (x.closed !== null) closes.set(x.closed, (closes.get(x.closed) ?? 0) + 1);
      const closed = closes.size === 0 ? "none" : [...closes].map(([why, n]) => `${n} (${why})`).join(", ");
      // The broadcast rate while they were flowing (first to last like broadcast).
      const span = ((likeFrames.at(-1) ?? 0) - (likeFrames[0] ?? 0)) / 1000;
      const perSecond = likeFrames.length > 1 ? (likeFrames.length - 1) / span : 0;
      const gaps = likeFrames.slice(1).map((t, i) => t - (likeFrames[i] ?? t));
      gaps.sort((a, b) => a - b);
      const counted = lastTotal === sentLikes ? "all counted" : `${sentLikes - lastTotal} missing`;

      return [
        "## live: stream tokens, room fan-out, like storm",
        "",
        `Tokens: ${requests} requests per route from ${clients} concurrent clients (64 guest shoppers) through the gateway of \`npm start\`'s stack; baseline \`GET /health\` in the same run. The client shares the machine's cores.`,
        "",
        table([{ row: tokens, baseline }]),
        "",
        `Token p50 ÷ /health p50: ${fmt(tokens.p50 / baseline.p50, 2)}. /health answers other than 200 (a check over its 2 s bound): ${healthNot200}.`,
        "",
        `Fan-out: ${viewers} room sockets through the gateway (plus the host), ${announcements} host announcements one after another; time from the host's send to each viewer's receipt: p50 ${fmt(percentile(delays, 50))} ms, p99 ${fmt(percentile(delays, 99))} ms, max ${fmt(delays.at(-1) ?? Number.NaN)} ms over ${delays.length} deliveries.`,
        "",
        `Like storm: ${viewers} viewers × ${likesPerSecond} likes/s for ${stormSeconds} s, each sending what it tapped every likeIntervalMs the room gave it (${[...intervals].sort((a, b) => a - b).join(", ")} ms): ${sentLikes} likes sent in ${sentMessages} messages over ${fmt(stormElapsed, 2)} s; the room's total ${lastTotal} (${counted}), reached ${fmt(drainedAfter, 2)} s after the last send. One viewer received ${likeFrames.length} like broadcasts (${fmt(perSecond, 2)}/s between the first and the last; bound 4/s), shortest gap between them by the room's clock ${fmt(gaps[0] ?? Number.NaN)} ms. Sockets closed: ${closed}.`,
      ].join("\n");
    } finally {
      for (const s of sockets) s.ws.close();
    }
  });
}
