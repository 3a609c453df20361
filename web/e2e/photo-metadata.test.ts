import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { photoKind, readPhotoFacts, stripPhotoLocation } from '../src/reports/photo-metadata.ts';
import { jpegWithLocation, PLAIN_JPEG } from './photo-fixture.ts';

// The reporter's phone removes where a photo was taken before sending it. These check the
// stripping against real image bytes (no browser needed: the code is pure).

test('reads the GPS position and orientation a camera wrote into a JPEG', () => {
  const facts = readPhotoFacts(jpegWithLocation(52.6369, -1.1398, 6));
  assert.equal(facts.orientation, 6);
  assert.ok(facts.location);
  assert.ok(Math.abs(facts.location.latitude - 52.6369) < 1e-4, String(facts.location.latitude));
  assert.ok(Math.abs(facts.location.longitude + 1.1398) < 1e-4, String(facts.location.longitude));
  assert.deepEqual(readPhotoFacts(PLAIN_JPEG), { location: null, orientation: 1 });
});

test('stripping a JPEG removes its location, keeps its orientation and leaves the image data byte for byte', () => {
  const original = jpegWithLocation(52.6369, -1.1398, 6);
  const stripped = stripPhotoLocation(original);
  assert.equal(photoKind(stripped), 'jpeg');
  assert.deepEqual(readPhotoFacts(stripped), { location: null, orientation: 6 });
  // The ffmpeg comment (COM) is gone too; the compressed image is untouched.
  assert.ok(!Buffer.from(stripped).includes(Buffer.from('Lavc')));
  const sos = (b: Uint8Array) => Buffer.from(b).indexOf(Buffer.from([0xff, 0xda]));
  assert.deepEqual(Buffer.from(stripped.subarray(sos(stripped))), original.subarray(sos(original)));
  // A photo with nothing to hide gets no EXIF block added.
  const plain = stripPhotoLocation(PLAIN_JPEG);
  assert.equal(Buffer.from(plain).indexOf(Buffer.from('Exif')), -1);
});

test('stripped photos still decode as images', { skip: !hasFfprobe() }, () => {
  for (const bytes of [stripPhotoLocation(jpegWithLocation(51.5, -0.12)), stripPhotoLocation(PLAIN_JPEG)]) {
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-'], { input: bytes });
    assert.equal(out.toString().trim(), '64,48');
  }
});

test('PNG text and EXIF chunks and WebP EXIF and XMP chunks are removed', () => {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.alloc(13)),
    chunk('eXIf', Buffer.from('MM\0*GPS')),
    chunk('iTXt', Buffer.from('XML:com.adobe.xmp\0<exif:GPSLatitude>')),
    chunk('IDAT', Buffer.from('pixels')),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  const strippedPng = Buffer.from(stripPhotoLocation(png));
  assert.equal(strippedPng.indexOf('GPS'), -1);
  assert.ok(strippedPng.includes('pixels'));
  assert.equal(strippedPng.length, png.length - (12 + 7) - (12 + 36));

  const riff = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x0c;
  const body = Buffer.concat([riff('VP8X', vp8x), riff('VP8 ', Buffer.from('frame')), riff('EXIF', Buffer.from('GPS here')), riff('XMP ', Buffer.from('GPS xml'))]);
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), body]);
  webp.writeUInt32LE(4 + body.length, 4);
  const strippedWebp = Buffer.from(stripPhotoLocation(webp));
  assert.equal(strippedWebp.indexOf('GPS'), -1);
  assert.ok(strippedWebp.includes('frame'));
  assert.equal(strippedWebp.readUInt32LE(4), strippedWebp.length - 8);
  assert.equal(strippedWebp[20]! & 0x0c, 0, 'VP8X no longer claims EXIF or XMP');

  assert.throws(() => stripPhotoLocation(Buffer.from('GIF89a')), /not a JPEG, PNG or WebP/);
});

function hasFfprobe(): boolean {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
