/**
 * Photo types by their first bytes (never by the name or the header a client sends), and
 * removal of the metadata blocks that carry where a photo was taken: EXIF (with its GPS
 * fields) and XMP in JPEG APP1 segments, IPTC in APP13, PNG eXIf chunks, WebP EXIF and XMP chunks.
 */

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export class ImageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ImageError';
    this.code = code;
  }
}

/** The image type the bytes say they are, or null. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'image/webp';
  return null;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u32le = (b: Uint8Array, at: number) => b[at]! + (b[at + 1]! << 8) + (b[at + 2]! << 16) + ((b[at + 3]! << 24) >>> 0);

/** Whether a JPEG carries an EXIF block with a GPS sub-directory (tag 0x8825), for tests and checks. */
export function jpegHasGps(bytes: Uint8Array): boolean {
  for (const seg of jpegSegments(bytes)) {
    if (seg.marker !== 0xe1) continue;
    const body = bytes.subarray(seg.start + 4, seg.end);
    if (ascii(body, 0, 6) !== 'Exif\0\0') continue;
    const tiff = body.subarray(6);
    const little = ascii(tiff, 0, 2) === 'II';
    const r16 = (at: number) => (little ? tiff[at]! | (tiff[at + 1]! << 8) : u16(tiff, at));
    const r32 = (at: number) => (little ? u32le(tiff, at) : u32be(tiff, at));
    const ifd = r32(4);
    if (ifd + 2 > tiff.length) continue;
    const n = r16(ifd);
    for (let i = 0; i < n; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > tiff.length) break;
      if (r16(entry) === 0x8825) return true;
    }
  }
  return false;
}

interface Segment {
  marker: number;
  /** offset of the 0xFF that starts it */
  start: number;
  /** offset just past it */
  end: number;
}

/** The header segments of a JPEG, up to and including the start of scan; throws on a malformed one. */
function jpegSegments(b: Uint8Array): Segment[] {
  if (sniffImageType(b) !== 'image/jpeg') throw new ImageError('not_jpeg', 'The file is not a JPEG image.');
  const out: Segment[] = [];
  let at = 2;
  for (;;) {
    if (at >= b.length) throw new ImageError('bad_image', 'The JPEG image ends before its image data.');
    if (b[at] !== 0xff) throw new ImageError('bad_image', `The JPEG image is malformed at byte ${at}.`);
    // Fill bytes: any number of 0xFF before a marker.
    let m = at + 1;
    while (m < b.length && b[m] === 0xff) m++;
    if (m >= b.length) throw new ImageError('bad_image', 'The JPEG image ends inside a marker.');
    const marker = b[m]!;
    if (marker === 0xd9) throw new ImageError('bad_image', 'The JPEG image has no image data.');
    // Markers without a length: TEM and the restart markers.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at = m + 1;
      continue;
    }
    if (m + 3 > b.length) throw new ImageError('bad_image', 'The JPEG image ends inside a segment header.');
    const length = u16(b, m + 1);
    const end = m + 1 + length;
    if (length < 2 || end > b.length) throw new ImageError('bad_image', `A JPEG segment at byte ${at} runs past the end of the file.`);
    out.push({ marker, start: at, end });
    if (marker === 0xda) return out;
    at = end;
  }
}

/** A JPEG without its APP1 (EXIF, XMP) and APP13 (IPTC) segments; the image data is untouched. */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  const segments = jpegSegments(bytes);
  const keep: Uint8Array[] = [bytes.subarray(0, 2)];
  for (const seg of segments) {
    if (seg.marker === 0xe1 || seg.marker === 0xed) continue;
    // The start of scan is kept with everything after it: entropy-coded data and the end marker.
    keep.push(seg.marker === 0xda ? bytes.subarray(seg.start) : bytes.subarray(seg.start, seg.end));
  }
  return concat(keep);
}

/** A PNG without eXIf (and textual XMP) chunks. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new ImageError('bad_image', `The PNG image is cut short at byte ${at}.`);
    const length = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    if (end > bytes.length) throw new ImageError('bad_image', `A PNG chunk at byte ${at} runs past the end of the file.`);
    const xmp = type === 'iTXt' && ascii(bytes, at + 8, 17) === 'XML:com.adobe.xmp';
    if (type !== 'eXIf' && !xmp) keep.push(bytes.subarray(at, end));
    at = end;
    if (type === 'IEND') break;
  }
  return concat(keep);
}

/** A WebP without EXIF and XMP chunks, its RIFF size and VP8X flags corrected. */
export function stripWebpMetadata(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [];
  let at = 12;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new ImageError('bad_image', `The WebP image is cut short at byte ${at}.`);
    const type = ascii(bytes, at, 4);
    const size = u32le(bytes, at + 4);
    const end = at + 8 + size + (size % 2);
    if (at + 8 + size > bytes.length) throw new ImageError('bad_image', `A WebP chunk at byte ${at} runs past the end of the file.`);
    if (type !== 'EXIF' && type !== 'XMP ') {
      const chunk = bytes.slice(at, Math.min(end, bytes.length));
      // VP8X flags: bit 3 EXIF present, bit 2 XMP present.
      if (type === 'VP8X' && chunk.length > 8) chunk[8] = chunk[8]! & ~0x0c;
      keep.push(chunk);
    }
    at = end;
  }
  const body = concat(keep);
  const out = new Uint8Array(12 + body.length);
  out.set(bytes.subarray(0, 12));
  out.set(body, 12);
  const riffSize = 4 + body.length;
  out[4] = riffSize & 0xff;
  out[5] = (riffSize >>> 8) & 0xff;
  out[6] = (riffSize >>> 16) & 0xff;
  out[7] = (riffSize >>> 24) & 0xff;
  return out;
}

/** The photo with location-bearing metadata removed, by its sniffed type. */
export function stripImageMetadata(bytes: Uint8Array, type: ImageType): Uint8Array {
  if (type === 'image/jpeg') return stripJpegMetadata(bytes);
  if (type === 'image/png') return stripPngMetadata(bytes);
  return stripWebpMetadata(bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
