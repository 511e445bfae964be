// Small real images for tests, made in code (workerd and Node alike): a PNG of any size from a pixel function, and
// an Exif block to put in a JPEG. Nothing here decodes; the platform's image code does that.

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([new TextEncoder().encode(type), data]);
  return concat([u32(data.length), typed, u32(crc32(typed))]);
}

async function zlib(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An RGB PNG, `pixel(x, y)` giving each pixel's [r, g, b]. */
export async function png(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number] = (x, y) => [x % 256, y % 256, 128],
): Promise<Uint8Array<ArrayBuffer>> {
  const rows = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // each row starts with filter type 0
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 3);
  }
  const header = concat([u32(width), u32(height), new Uint8Array([8, 2, 0, 0, 0])]);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", await zlib(rows)),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** A PNG whose header claims `width`×`height` but whose pixels are a few bytes: what a decompression bomb looks like. */
export async function pngClaiming(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const small = await png(1, 1);
  const header = concat([u32(width), u32(height), new Uint8Array([8, 2, 0, 0, 0])]);
  return concat([small.subarray(0, 8), chunk("IHDR", header), small.subarray(8 + 25)]);
}

/**
 * A JPEG APP1 Exif segment with GPS coordinates and `marker` as the image description: spliced after a JPEG's
 * first two bytes (SOI), it is the metadata a phone writes.
 */
export function exifSegment(marker: string): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(`${marker}\0`);
  // TIFF, little-endian: IFD0 at 8 with two entries (ImageDescription, GPS IFD pointer), then the GPS IFD.
  const ifd0At = 8;
  const ifd0Size = 2 + 2 * 12 + 4;
  const gpsAt = ifd0At + ifd0Size;
  const gpsSize = 2 + 2 * 12 + 4;
  const textAt = gpsAt + gpsSize;
  const tiff = new DataView(new ArrayBuffer(textAt + text.length));
  const bytes = new Uint8Array(tiff.buffer);
  bytes.set([0x49, 0x49, 0x2a, 0x00]);
  tiff.setUint32(4, ifd0At, true);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    tiff.setUint16(at, tag, true);
    tiff.setUint16(at + 2, type, true);
    tiff.setUint32(at + 4, count, true);
    tiff.setUint32(at + 8, value, true);
  };
  tiff.setUint16(ifd0At, 2, true);
  entry(ifd0At + 2, 0x010e, 2, text.length, textAt); // ImageDescription (ASCII, at textAt)
  entry(ifd0At + 14, 0x8825, 4, 1, gpsAt); // GPS IFD pointer
  tiff.setUint16(gpsAt, 2, true);
  entry(gpsAt + 2, 0x0001, 2, 2, 0x4e); // GPSLatitudeRef "N"
  entry(gpsAt + 14, 0x0003, 2, 2, 0x45); // GPSLongitudeRef "E"
  bytes.set(text, textAt);
  const payload = concat([new TextEncoder().encode("Exif\0\0"), bytes]);
  const length = payload.length + 2;
  return concat([new Uint8Array([0xff, 0xe1, length >> 8, length & 255]), payload]);
}

/** Whether `haystack` holds `needle`'s bytes anywhere. */
export function containsBytes(haystack: Uint8Array, needle: string): boolean {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}
