/**
 * What a file is, from its first bytes rather than its name: a text file named `.mp4` or a
 * renamed executable is caught before any decoder sees it.
 */

export type MediaFormat = 'mp4' | 'mov' | 'avi' | 'mkv' | 'webm' | 'mpeg-ts' | 'jpeg' | 'png';

export interface SniffedType {
  format: MediaFormat;
  kind: 'video' | 'image';
  mime: string;
  /** the file name endings this format is usually given */
  extensions: readonly string[];
}

const TYPES: Record<MediaFormat, Omit<SniffedType, 'format'>> = {
  mp4: { kind: 'video', mime: 'video/mp4', extensions: ['.mp4', '.m4v', '.3gp'] },
  mov: { kind: 'video', mime: 'video/quicktime', extensions: ['.mov', '.qt'] },
  avi: { kind: 'video', mime: 'video/x-msvideo', extensions: ['.avi'] },
  mkv: { kind: 'video', mime: 'video/x-matroska', extensions: ['.mkv'] },
  webm: { kind: 'video', mime: 'video/webm', extensions: ['.webm'] },
  'mpeg-ts': { kind: 'video', mime: 'video/mp2t', extensions: ['.ts', '.mts', '.m2ts'] },
  jpeg: { kind: 'image', mime: 'image/jpeg', extensions: ['.jpg', '.jpeg'] },
  png: { kind: 'image', mime: 'image/png', extensions: ['.png'] },
};

/** How many leading bytes sniffMediaType wants (fewer still work for most formats). */
export const SNIFF_BYTES = 1024;

const ascii = (b: Uint8Array, at: number, text: string) => b.length >= at + text.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

// QuickTime files from before the 'ftyp' box begin with one of these boxes instead.
const QUICKTIME_BOXES = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];

/** The media type the bytes announce, or null when they are none of the formats Peel takes. */
export function sniffMediaType(firstBytes: Uint8Array): SniffedType | null {
  const format = detect(firstBytes);
  return format ? { format, ...TYPES[format] } : null;
}

function detect(b: Uint8Array): MediaFormat | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)) return 'png';
  // ISO base media: a box size, then 'ftyp' and the major brand ('qt  ' for QuickTime).
  if (ascii(b, 4, 'ftyp')) return ascii(b, 8, 'qt  ') ? 'mov' : 'mp4';
  if (QUICKTIME_BOXES.some((box) => ascii(b, 4, box))) return 'mov';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'AVI ')) return 'avi';
  // EBML: the document type names Matroska or WebM within the header.
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    const head = Buffer.from(b.subarray(0, 64)).toString('latin1');
    if (head.includes('webm')) return 'webm';
    if (head.includes('matroska')) return 'mkv';
    return null;
  }
  if (transportStream(b, 0, 188) || transportStream(b, 4, 192)) return 'mpeg-ts';
  return null;
}

/** MPEG-TS: a 0x47 sync byte every 188 bytes (every 192 in camcorders' .m2ts, after a 4-byte timestamp). */
function transportStream(b: Uint8Array, offset: number, packet: number): boolean {
  let seen = 0;
  for (let at = offset; at < b.length && seen < 4; at += packet, seen++) if (b[at] !== 0x47) return false;
  // One sync byte alone is too weak a sign; ask for three packets' worth.
  return seen >= 3;
}
