import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError, posterFrame, probeMedia, sniffMediaType } from './index.ts';

const haveFfmpeg = !spawnSync('ffmpeg', ['-version']).error && !spawnSync('ffprobe', ['-version']).error;
const skip = haveFfmpeg ? false : 'ffmpeg and ffprobe are not installed (Debian package ffmpeg): real-video tests skipped';

let dir: string;
const made: Record<string, string> = {};

/** Small real recordings made by ffmpeg from its test pattern and a tone. */
function make(name: string, args: string[]): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25', ...args, path]);
  return path;
}
const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'peel-media-'));
  if (!haveFfmpeg) return;
  made.mp4 = make('bodycam.mp4', [...tone, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-metadata', 'creation_time=2024-05-01T10:20:30Z', '-shortest']);
  made.mov = make('cctv.mov', ['-c:v', 'mpeg4']);
  made.mkv = make('clip.mkv', ['-c:v', 'mpeg4']);
  made.webm = make('clip.webm', ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '200k']);
  made.avi = make('clip.avi', ['-c:v', 'mjpeg']);
  made.ts = make('clip.ts', ['-c:v', 'mpeg2video']);
  made.png = join(dir, 'still.png');
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', made.png]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const head = (path: string) => readFileSync(path).subarray(0, 1024);

describe('sniffMediaType', () => {
  test('knows each format by its magic bytes, in files ffmpeg made', { skip }, () => {
    const expected: Record<string, string> = { mp4: 'mp4', mov: 'mov', mkv: 'mkv', webm: 'webm', avi: 'avi', ts: 'mpeg-ts', png: 'png' };
    for (const [file, format] of Object.entries(expected)) assert.equal(sniffMediaType(head(made[file]!))?.format, format, file);
    assert.deepEqual(sniffMediaType(head(made.mp4!)), { format: 'mp4', kind: 'video', mime: 'video/mp4', extensions: ['.mp4', '.m4v', '.3gp'] });
  });

  test('known headers written by hand, and things that are not media', () => {
    assert.equal(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))?.format, 'jpeg');
    assert.equal(sniffMediaType(Buffer.from('\x00\x00\x00\x14ftypqt  ', 'latin1'))?.format, 'mov');
    assert.equal(sniffMediaType(Buffer.from('\x00\x00\x00\x08wide\x00\x00\x00\x00mdat', 'latin1'))?.format, 'mov');
    assert.equal(sniffMediaType(Buffer.from('\x00\x00\x00\x18ftypisom', 'latin1'))?.format, 'mp4');
    const m2ts = Buffer.alloc(192 * 4);
    for (let i = 0; i < 4; i++) m2ts[i * 192 + 4] = 0x47;
    assert.equal(sniffMediaType(m2ts)?.format, 'mpeg-ts', '192-byte packets of a camcorder .m2ts');
    assert.equal(sniffMediaType(Buffer.from('This is a text file named clip.mp4\n')), null);
    assert.equal(sniffMediaType(Buffer.from('G')), null, 'one sync byte is not a transport stream');
    assert.equal(sniffMediaType(Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1')), null, 'a WAV file is RIFF but not AVI');
    assert.equal(sniffMediaType(Buffer.from('MZ\x90\x00')), null);
    assert.equal(sniffMediaType(new Uint8Array()), null);
  });
});

describe('probeMedia', () => {
  test('gives duration, container, codecs, size and the recorded time of a real MP4', { skip }, async () => {
    const { facts, reason } = await probeMedia(made.mp4!);
    assert.equal(reason, undefined);
    assert.ok(facts);
    assert.ok(Math.abs(facts.durationSeconds! - 2) < 0.1, `duration ${facts.durationSeconds}`);
    assert.match(facts.container, /mp4/);
    assert.equal(facts.videoCodec, 'h264');
    assert.equal(facts.width, 320);
    assert.equal(facts.height, 240);
    assert.equal(facts.audioCodec, 'aac');
    assert.equal(facts.createdAt, '2024-05-01T10:20:30.000Z');
  });

  test('other containers; no audio and no recorded time are null, not guesses', { skip }, async () => {
    const mkv = (await probeMedia(made.mkv!)).facts!;
    assert.equal(mkv.container, 'matroska,webm');
    assert.equal(mkv.videoCodec, 'mpeg4');
    assert.equal(mkv.audioCodec, null);
    assert.equal(mkv.createdAt, null);
    assert.equal((await probeMedia(made.ts!)).facts!.container, 'mpegts');
    assert.equal((await probeMedia(made.avi!)).facts!.videoCodec, 'mjpeg');
  });

  test('a truncated MP4 and a text file named .mp4 are typed errors that name the file, not its folder', { skip }, async () => {
    const whole = readFileSync(made.mp4!);
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await assert.rejects(probeMedia(truncated), (err: unknown) => {
      assert.ok(err instanceof MediaError);
      assert.equal(err.code, 'media_unreadable');
      assert.match(err.message, /truncated\.mp4/);
      assert.ok(!err.message.includes(dir), err.message);
      return true;
    });
    const text = join(dir, 'not-a-video.mp4');
    writeFileSync(text, 'This is a text file named .mp4\n'.repeat(20));
    await assert.rejects(probeMedia(text), { name: 'MediaError', code: 'media_unreadable' });
    await assert.rejects(probeMedia(join(dir, 'missing.mp4')), { code: 'media_unreadable' });
  });

  test('a file cut short whose index is whole (an MP4 with its index first, an MKV) is reported as truncated', { skip }, async () => {
    const faststart = join(dir, 'faststart.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', made.mp4!, '-c', 'copy', '-movflags', '+faststart', faststart]);
    assert.equal((await probeMedia(faststart)).facts?.videoCodec, 'h264', 'whole, it reads');
    for (const source of [faststart, made.mkv!]) {
      const whole = readFileSync(source);
      const cut = join(dir, `cut-${source.split('/').pop()}`);
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
      await assert.rejects(probeMedia(cut), { name: 'MediaError', code: 'media_truncated', message: /cut-.* is cut short/ }, source);
    }
  });

  test('a file name with shell syntax and a leading dash is passed as it is, never to a shell', { skip }, async () => {
    const odd = join(dir, "-i $(touch pwned) `touch pwned2`; 'q' \"x\".mp4");
    writeFileSync(odd, readFileSync(made.mp4!));
    assert.equal((await probeMedia(odd)).facts?.width, 320);
    assert.ok((await posterFrame(odd, 0.5)).jpeg);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('pwned')) && !existsSync('pwned'));
  });

  test('without ffprobe or ffmpeg: null and the reason, not an error', async () => {
    const facts = await probeMedia(join(dir, 'any.mp4'), { ffprobe: 'ffprobe-not-installed-here' });
    assert.deepEqual(facts, { facts: null, reason: 'ffprobe-not-installed-here is not installed, so media facts are not available (install the Debian package ffmpeg).' });
    const frame = await posterFrame(join(dir, 'any.mp4'), 1, { ffmpeg: 'ffmpeg-not-installed-here' });
    assert.equal(frame.jpeg, null);
    assert.match(frame.reason ?? '', /ffmpeg-not-installed-here is not installed/);
  });

  test('a child that runs past its timeout is stopped and reported', { skip }, async () => {
    await assert.rejects(probeMedia(made.mp4!, { timeoutMs: 1 }), { code: 'media_timeout', message: /ffprobe took longer than 1 ms over bodycam\.mp4/ });
  });
});

describe('posterFrame', () => {
  test('a JPEG of the frame at the given time, no wider than asked', { skip }, async () => {
    const { jpeg } = await posterFrame(made.mp4!, 1);
    assert.ok(jpeg);
    assert.equal(sniffMediaType(jpeg)?.format, 'jpeg');
    const small = (await posterFrame(made.mp4!, 1, { width: 160 })).jpeg!;
    const path = join(dir, 'poster.jpg');
    writeFileSync(path, small);
    const facts = (await probeMedia(path)).facts!;
    assert.deepEqual([facts.width, facts.height], [160, 120]);
    // testsrc draws a moving frame counter: frames at different times differ.
    assert.notDeepEqual((await posterFrame(made.mp4!, 0.2)).jpeg, jpeg);
  });

  test('past the end, or from a file that is not video, is a typed error', { skip }, async () => {
    await assert.rejects(posterFrame(made.mp4!, 60), { code: 'no_frame', message: /bodycam\.mp4 has no picture at 60 s/ });
    const text = join(dir, 'text.mp4');
    writeFileSync(text, 'hello');
    await assert.rejects(posterFrame(text, 0), { name: 'MediaError' });
    await assert.rejects(posterFrame(made.mp4!, -1), RangeError);
  });
});
