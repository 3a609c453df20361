/**
 * Photo metadata, handled on the phone before anything is sent: a photo's EXIF can carry
 * where it was taken (GPS), and that must not leave the device unless the reporter says
 * so. Stripping is lossless (metadata segments are cut out; the image data is untouched),
 * and a JPEG keeps its orientation so the picture is not turned on its side.
 *
 * Pure functions over bytes, so they run the same in the browser and in a Node test.
 */

export interface PhotoFacts {
  /** where the photo says it was taken, if it says */
  location: { latitude: number; longitude: number } | null;
  /** EXIF orientation (1 to 8), 1 if none */
  orientation: number;
}

export type PhotoKind = 'jpeg' | 'png' | 'webp';

/** What the bytes are, by their signature (never by the file name). */
export function photoKind(bytes: Uint8Array): PhotoKind | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  return null;
}

/** The location and orientation a photo's EXIF records (JPEG only; others report none). */
export function readPhotoFacts(bytes: Uint8Array): PhotoFacts {
  const facts: PhotoFacts = { location: null, orientation: 1 };
  if (photoKind(bytes) !== 'jpeg') return facts;
  for (const segment of jpegSegments(bytes)) {
    if (segment.marker !== 0xe1 || ascii(bytes, segment.dataStart, 6) !== 'Exif\0\0') continue;
    const tiff = bytes.subarray(segment.dataStart + 6, segment.end);
    try {
      Object.assign(facts, readExif(tiff));
    } catch {
      // A damaged EXIF block tells us nothing; the photo is still a photo.
    }
    break;
  }
  return facts;
}

/**
 * The photo with every block that can hold a location removed: EXIF and XMP (and
 * Photoshop's IPTC block) from a JPEG, eXIf and text chunks from a PNG, EXIF and XMP
 * chunks from a WebP. Throws if the bytes are not one of those images.
 */
export function stripPhotoLocation(bytes: Uint8Array): Uint8Array {
  const kind = photoKind(bytes);
  if (kind === 'jpeg') return stripJpeg(bytes);
  if (kind === 'png') return stripPng(bytes);
  if (kind === 'webp') return stripWebp(bytes);
  throw new Error('This is not a JPEG, PNG or WebP image.');
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

interface JpegSegment {
  marker: number;
  /** where the segment's FF byte is */
  start: number;
  /** first byte after the length field */
  dataStart: number;
  /** first byte after the segment */
  end: number;
}

/** The header segments of a JPEG, up to the start of the image data (SOS). */
function jpegSegments(bytes: Uint8Array): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new Error('This JPEG is damaged: a header segment does not start where expected.');
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) throw new Error('This JPEG is damaged: a header segment runs past the end of the file.');
    segments.push({ marker, start: at, dataStart: at + 4, end });
    if (marker === 0xda) break; // start of scan: image data follows
    at = end;
  }
  return segments;
}

/** APP1 (EXIF, XMP) and APP13 (Photoshop/IPTC) can carry a location; comments (COM) can carry anything. */
const JPEG_DROP = new Set([0xe1, 0xed, 0xfe]);

function stripJpeg(bytes: Uint8Array): Uint8Array {
  const { orientation } = readPhotoFacts(bytes);
  const segments = jpegSegments(bytes);
  const sos = segments.find((s) => s.marker === 0xda);
  if (!sos) throw new Error('This JPEG is damaged: it has no image data.');
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let keptOrientation = orientation === 1;
  for (const segment of segments) {
    if (segment.marker === 0xda) break;
    if (JPEG_DROP.has(segment.marker)) continue;
    parts.push(bytes.subarray(segment.start, segment.end));
    // Put the orientation back straight after JFIF (APP0), where EXIF would sit.
    if (!keptOrientation && segment.marker === 0xe0) {
      parts.push(orientationExif(orientation));
      keptOrientation = true;
    }
  }
  if (!keptOrientation) parts.splice(1, 0, orientationExif(orientation));
  parts.push(bytes.subarray(sos.start));
  return concat(parts);
}

/** A minimal EXIF APP1 segment holding only the orientation. */
function orientationExif(orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const body = [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(tiff);
  const length = body.length + 2;
  return Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, ...body]);
}

function readExif(tiff: Uint8Array): Partial<PhotoFacts> {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return {};
  const little = order === 'II';
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const entries = (ifd: number) => {
    const count = u16(ifd);
    const list: Array<{ tag: number; type: number; count: number; valueAt: number }> = [];
    for (let i = 0; i < count; i++) {
      const at = ifd + 2 + i * 12;
      const type = u16(at + 2);
      const n = u32(at + 4);
      const size = ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 } as Record<number, number>)[type] ?? 1;
      list.push({ tag: u16(at), type, count: n, valueAt: size * n > 4 ? u32(at + 8) : at + 8 });
    }
    return list;
  };
  const result: Partial<PhotoFacts> = {};
  const ifd0 = entries(u32(4));
  const orientation = ifd0.find((e) => e.tag === 0x0112);
  if (orientation) {
    const value = u16(orientation.valueAt);
    if (value >= 1 && value <= 8) result.orientation = value;
  }
  const gpsPointer = ifd0.find((e) => e.tag === 0x8825);
  if (gpsPointer) {
    const gps = entries(u32(gpsPointer.valueAt));
    const text = (tag: number) => {
      const e = gps.find((g) => g.tag === tag);
      return e ? String.fromCharCode(tiff[e.valueAt]!) : null;
    };
    const degrees = (tag: number) => {
      const e = gps.find((g) => g.tag === tag);
      if (!e || e.type !== 5 || e.count < 3) return null;
      const part = (i: number) => u32(e.valueAt + i * 8) / (u32(e.valueAt + i * 8 + 4) || 1);
      return part(0) + part(1) / 60 + part(2) / 3600;
    };
    const lat = degrees(2);
    const lon = degrees(4);
    if (lat !== null && lon !== null && Number.isFinite(lat) && Number.isFinite(lon)) {
      result.location = { latitude: text(1) === 'S' ? -lat : lat, longitude: text(3) === 'W' ? -lon : lon };
    }
  }
  return result;
}

/** PNG chunks that can hold a location: EXIF and the three kinds of text (XMP lives in iTXt). */
const PNG_DROP = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt']);

function stripPng(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    if (end > bytes.length) throw new Error('This PNG is damaged: a chunk runs past the end of the file.');
    if (!PNG_DROP.has(type)) parts.push(bytes.subarray(at, end));
    at = end;
    if (type === 'IEND') break;
  }
  return concat(parts);
}

function stripWebp(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const type = ascii(bytes, at, 4);
    const size = view.getUint32(at + 4, true);
    const end = at + 8 + size + (size % 2);
    if (at + 8 + size > bytes.length) throw new Error('This WebP is damaged: a chunk runs past the end of the file.');
    if (type === 'VP8X') {
      const chunk = bytes.slice(at, Math.min(end, bytes.length));
      chunk[8] = chunk[8]! & ~0x0c; // the EXIF (0x08) and XMP (0x04) flags: those chunks are gone
      parts.push(chunk);
    } else if (type !== 'EXIF' && type !== 'XMP ') {
      parts.push(bytes.subarray(at, Math.min(end, bytes.length)));
    }
    at = end;
  }
  const body = concat(parts);
  const out = new Uint8Array(12 + body.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 4 + body.length, true);
  out.set(body, 12);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
