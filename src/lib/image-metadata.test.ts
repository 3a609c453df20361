import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageError, jpegHasGps, sniffImageType, stripImageMetadata, stripJpegMetadata, stripPngMetadata } from './image-metadata.ts';
import { jpegWithGps } from '../modules/reports/fixtures/exif.ts';

const plain = new Uint8Array(readFileSync(new URL('../modules/reports/fixtures/plain.jpg', import.meta.url)));

/** Whether ffmpeg decodes the bytes as an image: the stripped file must still be a picture. */
function decodes(bytes: Uint8Array): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'peel-img-'));
  try {
    const file = join(dir, 'x.jpg');
    writeFileSync(file, bytes);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'null', '-'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let haveFfmpeg = true;
try {
  execFileSync('ffmpeg', ['-version'], { stdio: 'pipe' });
} catch {
  haveFfmpeg = false;
}

test('types come from the first bytes', () => {
  assert.equal(sniffImageType(plain), 'image/jpeg');
  assert.equal(sniffImageType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), 'image/png');
  assert.equal(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ')), 'image/webp');
  assert.equal(sniffImageType(new TextEncoder().encode('<svg onload=alert(1)>')), null);
  assert.equal(sniffImageType(new TextEncoder().encode('GIF89a')), null);
});

test('a JPEG carrying GPS EXIF loses it, and still decodes as the same picture', { skip: !haveFfmpeg && 'ffmpeg not installed' }, () => {
  const withGps = jpegWithGps(plain, 52.6369, -1.1398);
  assert.ok(jpegHasGps(withGps));
  assert.ok(decodes(withGps));
  const stripped = stripJpegMetadata(withGps);
  assert.equal(jpegHasGps(stripped), false);
  assert.equal(Buffer.from(stripped).indexOf('Exif'), -1);
  assert.ok(decodes(stripped));
  // Only the APP1 segment went: the image data is byte for byte what ffmpeg wrote.
  assert.deepEqual(Buffer.from(stripped), Buffer.from(stripJpegMetadata(plain)));
});

test('malformed JPEGs are refused with a reason, not passed through', () => {
  const cut = plain.subarray(0, 30);
  assert.throws(() => stripJpegMetadata(cut), (e: unknown) => e instanceof ImageError && /runs past the end|ends/.test(e.message));
  const lying = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2, 3]);
  assert.throws(() => stripJpegMetadata(lying), ImageError);
  assert.throws(() => stripImageMetadata(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg'), /no image data/);
});

test('PNG eXIf chunks are dropped, other chunks kept', () => {
  const chunk = (type: string, data: number[]) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    Buffer.from(data).copy(b, 8);
    return b;
  };
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = Buffer.concat([sig, chunk('IHDR', Array(13).fill(1)), chunk('eXIf', [1, 2, 3, 4]), chunk('IDAT', [9, 9]), chunk('IEND', [])]);
  const out = Buffer.from(stripPngMetadata(png));
  assert.equal(out.indexOf('eXIf'), -1);
  assert.ok(out.indexOf('IHDR') > 0 && out.indexOf('IDAT') > 0 && out.indexOf('IEND') > 0);
  assert.equal(out.length, png.length - 16);
});
