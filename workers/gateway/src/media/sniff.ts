// An upload's type, from its first bytes (the signatures in the WHATWG MIME Sniffing standard, and ISO BMFF's
// `ftyp` brands for AVIF): a client's Content-Type or file name is never trusted.
export type ImageType = "image/jpeg" | "image/png" | "image/webp" | "image/avif";

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 8 && ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return "image/png";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "image/webp";
  if (bytes.length >= 16 && ascii(bytes, 4, 4) === "ftyp") {
    // The box lists its major brand, a version, then compatible brands, four bytes each.
    const boxSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    const end = Math.min(boxSize, bytes.length, 4096);
    for (let at = 8; at + 4 <= end; at += 4) {
      if (at === 12) continue; // the minor version
      const brand = ascii(bytes, at, 4);
      if (brand === "avif" || brand === "avis") return "image/avif";
    }
  }
  return null;
}
