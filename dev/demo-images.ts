// The demo's pictures, drawn on this machine when `npm start` first runs (nothing is downloaded): every demo product
// gets two, every demo note a cover, made of shapes and Chinese text (SVG, drawn by sharp with Noto Sans SC from
// dev/fonts.ts), then uploaded through the public API as their merchant or creator and named on the product or note,
// as a real store would. Products and notes that already have uploaded pictures are left alone, so a restart on the
// same data draws nothing.
import { demo, demoLiveSessionId } from "./demo.ts";
import { chineseFontconfig } from "./fonts.ts";
import type { DemoCredentials } from "./seed-data.ts";

type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | undefined;

/** sharp, once its fontconfig names our Chinese font (fontconfig reads FONTCONFIG_FILE when it first starts). */
function sharp(): Promise<Sharp> {
  sharpModule ??= chineseFontconfig().then(async (file) => {
    process.env.FONTCONFIG_FILE = file;
    return (await import("sharp")).default;
  });
  return sharpModule;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Lines of at most `perLine` characters (Chinese wraps anywhere; a Latin word is not split unless it must be). */
function wrap(text: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/(?<=[\u3000-\u9fff\uff00-\uffef])|(?=[\u3000-\u9fff\uff00-\uffef])|(?<= )/u)) {
    // Closing punctuation never starts a line (kinsoku): it stays on the line it ends, a character over.
    const closing = /^[，。！？、：；）」』]$/u.test(word);
    if ([...line].length + [...word].length > perLine && line.trim() !== "" && !closing) {
      lines.push(line.trim());
      line = "";
    }
    line += word;
  }
  if (line.trim() !== "") lines.push(line.trim());
  return lines.slice(0, maxLines);
}

const palettes = {
  skincare: { from: 28, to: 345, ink: "#2b1d24", object: "#1f1a1c" },
  makeup: { from: 350, to: 15, ink: "#3a0d16", object: "#a3243b" },
  home: { from: 190, to: 150, ink: "#123238", object: "#f4f1ea" },
} as const;
type Category = keyof typeof palettes;

/** The product drawn as simple shapes: a dropper bottle, a jar, a lipstick, a palette, stacked drawers, a basket. */
function productShape(index: number, colour: string): string {
  switch (index % 6) {
    case 0:
      return `<rect x="330" y="420" width="140" height="330" rx="28" fill="${colour}"/><rect x="370" y="330" width="60" height="100" rx="10" fill="#d9b46a"/><circle cx="400" cy="320" r="34" fill="#111"/>`;
    case 1:
      return `<rect x="250" y="520" width="300" height="210" rx="36" fill="#f5e6ea"/><rect x="240" y="470" width="320" height="70" rx="18" fill="#c9a26b"/>`;
    case 2:
      return `<rect x="340" y="470" width="120" height="300" rx="14" fill="#1c1c1c"/><path d="M355 470 L355 360 Q400 300 445 360 L445 470 Z" fill="${colour}"/>`;
    case 3:
      return `<rect x="210" y="430" width="380" height="300" rx="26" fill="#f1d7c8"/>${[0, 1, 2, 3, 4, 5]
        .map(
          (i) =>
            `<circle cx="${280 + (i % 3) * 120}" cy="${520 + Math.floor(i / 3) * 120}" r="44" fill="hsl(${(i * 47) % 360},55%,60%)"/>`,
        )
        .join("")}`;
    case 4:
      return [0, 1, 2]
        .map(
          (i) =>
            `<rect x="220" y="${420 + i * 120}" width="360" height="105" rx="14" fill="rgba(255,255,255,0.75)" stroke="#8fb9bf" stroke-width="6"/><rect x="360" y="${462 + i * 120}" width="80" height="16" rx="8" fill="#8fb9bf"/>`,
        )
        .join("");
    default:
      return `<path d="M240 470 L560 470 L520 760 L280 760 Z" fill="#c8c2b6"/><rect x="230" y="440" width="340" height="40" rx="12" fill="#a59d8e"/>`;
  }
}

/** A product picture, 800×1000: the object on a gradient, the title below; `detail` is the second, plainer shot. */
function productSvg(product: (typeof demo.products)[number], index: number, detail: boolean): string {
  const palette = palettes[product.category as Category];
  const [title] = product.title.split(/ (?=[A-Z])/u);
  const lines = wrap(title ?? product.title, 11, 2);
  const background = detail
    ? `<rect width="800" height="1000" fill="hsl(${palette.to},35%,94%)"/>`
    : `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${palette.from},65%,88%)"/><stop offset="1" stop-color="hsl(${palette.to},60%,72%)"/></linearGradient></defs><rect width="800" height="1000" fill="url(#g)"/><circle cx="620" cy="230" r="170" fill="rgba(255,255,255,0.35)"/>`;
  const options = product.skus.map((s) => Object.values(s.options).join(" ").split(" ")[0]).join(" · ");
  const text = detail
    ? `<text x="60" y="150" font-family="Noto Sans SC" font-size="44" fill="${palette.ink}">${xml(product.brand)}</text><text x="60" y="900" font-family="Noto Sans SC" font-size="40" fill="${palette.ink}">${xml(options)}</text>`
    : lines
        .map(
          (line, i) =>
            `<text x="60" y="${860 + i * 72}" font-family="Noto Sans SC" font-weight="700" font-size="60" fill="${palette.ink}">${xml(line)}</text>`,
        )
        .join("");
  const shape = detail
    ? `<g transform="translate(-80 -60) scale(1.2)">${productShape(index, palette.object)}</g>`
    : productShape(index, palette.object);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1000">${background}${shape}${text}</svg>`;
}

/** A note cover, 900×1200 (RED's 3:4): the title large on colour, the first topic as a tag. */
function noteSvg(note: (typeof demo.notes)[number], index: number): string {
  const hue = [345, 20, 175, 260][index % 4] ?? 0;
  const lines = wrap(note.title, 9, 4);
  const tag = note.body.match(/#([\p{L}\p{N}_]+)/u)?.[1] ?? "种草";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="1200">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,92%)"/><stop offset="1" stop-color="hsl(${(hue + 30) % 360},65%,78%)"/></linearGradient></defs>
<rect width="900" height="1200" fill="url(#g)"/>
<circle cx="760" cy="180" r="200" fill="rgba(255,255,255,0.45)"/><circle cx="120" cy="1080" r="160" fill="rgba(255,255,255,0.3)"/>
${lines.map((line, i) => `<text x="70" y="${330 + i * 110}" font-family="Noto Sans SC" font-weight="700" font-size="84" fill="#222">${xml(line)}</text>`).join("")}
<rect x="70" y="${400 + lines.length * 110}" width="${80 + [...tag].length * 44}" height="70" rx="35" fill="#ff2442"/>
<text x="110" y="${448 + lines.length * 110}" font-family="Noto Sans SC" font-size="40" fill="#fff">#${xml(tag)}</text>
</svg>`;
}

/** The live session's cover, 1280×720: a "live" badge and its title. */
function liveSvg(title: string): string {
  const [zh] = title.split(/ (?=[A-Z])/u);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#ff6b81"/><stop offset="1" stop-color="#7b2ff7"/></linearGradient></defs>
<rect width="1280" height="720" fill="url(#g)"/><circle cx="1100" cy="140" r="260" fill="rgba(255,255,255,0.18)"/>
<rect x="80" y="80" width="200" height="72" rx="36" fill="#ff2442"/><text x="118" y="130" font-family="Noto Sans SC" font-weight="700" font-size="40" fill="#fff">直播预告</text>
<text x="80" y="420" font-family="Noto Sans SC" font-weight="700" font-size="88" fill="#fff">${xml(zh ?? title)}</text>
</svg>`;
}

/** The drawing in progress: pictures are drawn one at a time (see jpeg). */
let drawing: Promise<unknown> = Promise.resolve();

/**
 * An SVG drawn as a JPEG. One at a time: librsvg lays text out with pango and fontconfig, which are not safe to use
 * from several of libvips' threads at once (two titles drawn together can fail with "SVG rendering failed").
 */
function jpeg(svg: string): Promise<Uint8Array<ArrayBuffer>> {
  const drawn = drawing.then(async () => {
    const draw = await sharp();
    const once = async () => new Uint8Array(await draw(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer());
    // The same drawing has been seen to fail once in a while on a busy machine and then succeed: one more try, so
    // `npm start` does not fail on it; a picture that cannot be drawn twice over still stops the start.
    return once().catch(once);
  });
  drawing = drawn.catch(() => undefined);
  return drawn;
}

async function api<T>(gatewayUrl: string, path: string, init: RequestInit): Promise<T> {
  let res = await fetch(`${gatewayUrl}${path}`, init);
  // A busy database answers 503 having changed nothing ("retry shortly"): the demo's parallel writes do so.
  for (let retry = 1; res.status === 503 && retry <= 8; retry++) {
    await new Promise((resolve) => setTimeout(resolve, 100 * retry));
    res = await fetch(`${gatewayUrl}${path}`, init);
  }
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function upload(gatewayUrl: string, token: string, image: Uint8Array<ArrayBuffer>): Promise<string> {
  const media = await api<{ id: string }>(gatewayUrl, "/v1/uploads", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "image/jpeg" },
    body: image,
  });
  return media.id;
}

const json = (token: string, body: unknown): RequestInit => ({
  method: "PATCH",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Draws, uploads and names the demo's pictures where they are still missing; returns how many it uploaded. */
export async function attachDemoImages(gatewayUrl: string, credentials: DemoCredentials): Promise<number> {
  const uploaded = (images: string[]) => images.some((url) => url.includes("/media/med_"));
  let count = 0;
  await Promise.all(
    demo.products.map(async (product, index) => {
      const secretKey = credentials.merchants[product.merchant - 1]?.secretKey ?? "";
      const current = await api<{ images: string[] }>(gatewayUrl, `/v1/products/${product.id}`, {
        headers: { authorization: `Bearer ${secretKey}` },
      });
      if (uploaded(current.images)) return;
      const ids = [];
      for (const detail of [false, true])
        ids.push(await upload(gatewayUrl, secretKey, await jpeg(productSvg(product, index, detail))));
      await api(gatewayUrl, `/v1/products/${product.id}`, json(secretKey, { images: ids }));
      count += ids.length;
    }),
  );
  const sessions = new Map<number, string>();
  for (const [i, creator] of credentials.creators.entries()) {
    const session = await api<{ accessToken: string }>(gatewayUrl, "/v1/creator-sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ creatorKey: creator.creatorKey }),
    });
    sessions.set(i + 1, session.accessToken);
  }
  // Uploaded side by side, named one note at a time: edits of notes at once can find the database busy.
  const noteImages = await Promise.all(
    demo.notes.map(async (note, index) => {
      const token = sessions.get(note.creator) ?? "";
      const current = await api<{ images: string[] }>(gatewayUrl, `/v1/notes/${note.id}`, { headers: {} });
      if (uploaded(current.images)) return undefined;
      return { note, token, id: await upload(gatewayUrl, token, await jpeg(noteSvg(note, index))) };
    }),
  );
  for (const named of noteImages) {
    if (!named) continue;
    await api(gatewayUrl, `/v1/notes/${named.note.id}`, json(named.token, { images: [named.id] }));
    count += 1;
  }
  const host = sessions.get(1) ?? "";
  const live = await api<{ title: string; coverUrl: string | null }>(
    gatewayUrl,
    `/v1/live/sessions/${demoLiveSessionId}`,
    {
      headers: {},
    },
  );
  if (!live.coverUrl?.includes("/media/med_")) {
    const id = await upload(gatewayUrl, host, await jpeg(liveSvg(live.title)));
    await api(gatewayUrl, `/v1/live/sessions/${demoLiveSessionId}`, json(host, { coverUrl: id }));
    count += 1;
  }
  return count;
}
