/**
 * Media facts from ffprobe and a poster frame from ffmpeg (Debian's `ffmpeg` package). Both
 * are optional: without them Peel still stores footage, and says why it has no facts.
 */
import { execFile } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { PeelError } from '../errors.ts';

export interface MediaFacts {
  durationSeconds: number | null;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mpegts", "avi" */
  container: string;
  videoCodec: string | null;
  width: number | null;
  height: number | null;
  audioCodec: string | null;
  /** when the recording says it was made (creation_time in its metadata), ISO 8601; null if it does not say */
  createdAt: string | null;
}

export interface MediaToolOptions {
  /** the program to run; a name is looked up on PATH */
  ffprobe?: string;
  ffmpeg?: string;
  /** the child is killed after this long */
  timeoutMs?: number;
}

/** Either the result, or null and a reason a person can read (the tool is not installed). */
export type Optional<K extends string, T> = ({ [k in K]: T } & { reason?: undefined }) | ({ [k in K]: null } & { reason: string });

/** A file the tools could not read (truncated, corrupt, not media) or took too long over. */
export class MediaError extends PeelError {
  constructor(code: 'media_unreadable' | 'media_truncated' | 'media_timeout' | 'no_frame', message: string) {
    super(code, message, 422);
    this.name = 'MediaError';
  }
}

// Probing reads every packet (to find truncation), about as long as reading the file once.
const DEFAULT_TIMEOUT_MS = 120_000;
const notInstalled = (tool: string) => `${tool} is not installed, so media facts are not available (install the Debian package ffmpeg).`;

interface Ran {
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool with an argument list (no shell, so nothing in a file name is interpreted),
 * killed at the timeout. Resolves null when the tool is not installed.
 */
function run(tool: string, args: string[], file: string, timeoutMs: number): Promise<Ran | null> {
  return new Promise((done, fail) => {
    execFile(tool, args, { encoding: 'buffer', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const said = tidy(stderr.toString('utf8'), file);
      if (!err) return done({ stdout, stderr: said });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
      if (e.code === 'ENOENT') return done(null);
      if (e.killed || e.signal === 'SIGKILL') return fail(new MediaError('media_timeout', `${basename(tool)} took longer than ${timeoutMs} ms over ${basename(file)} and was stopped.`));
      fail(new MediaError('media_unreadable', `${basename(tool)} could not read ${basename(file)}: ${said || `exit code ${String(e.code)}`}`));
    });
  });
}

/** The tool's last complaint, with the file's full path cut to its name (paths can name people). */
function tidy(stderr: string, file: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.split(file).join(basename(file)).replace(/ @ 0x[0-9a-f]+\]/g, ']').trim())
    .filter(Boolean);
  return lines.slice(-2).join('; ').slice(0, 300);
}

interface ProbeOutput {
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    nb_frames?: string;
    nb_read_packets?: string;
    width?: number;
    height?: number;
    disposition?: { attached_pic?: number };
    tags?: Record<string, string>;
  }>;
}

// What ffprobe says when the data stops before the container's index says it should.
const CUT_SHORT = /partial file|File ended prematurely|truncat/i;

/**
 * Duration, container, codecs, picture size and recorded time of a video, from
 * `ffprobe -print_format json`. Every packet is read, so a file cut short (a failed copy off
 * a camera) is a MediaError 'media_truncated' even when its index is whole, as in an MP4
 * written with its index first.
 */
export async function probeMedia(path: string, options: MediaToolOptions = {}): Promise<Optional<'facts', MediaFacts>> {
  const file = resolve(path); // absolute, so a name starting with "-" is never taken for an option
  const tool = options.ffprobe ?? 'ffprobe';
  const ran = await run(tool, ['-v', 'error', '-count_packets', '-print_format', 'json', '-show_format', '-show_streams', '-i', file], file, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (!ran) return { facts: null, reason: notInstalled(tool) };
  let out: ProbeOutput;
  try {
    out = JSON.parse(ran.stdout.toString('utf8')) as ProbeOutput;
  } catch {
    throw new MediaError('media_unreadable', `ffprobe gave no readable answer for ${basename(file)}.`);
  }
  const streams = out.streams ?? [];
  if (!out.format?.format_name || streams.length === 0) throw new MediaError('media_unreadable', `${basename(file)} holds no audio or video that ffprobe can read.`);
  const short = streams.find((s) => Number(s.nb_frames) > Number(s.nb_read_packets));
  if (short || CUT_SHORT.test(ran.stderr)) {
    const detail = short ? `its index lists ${short.nb_frames} ${short.codec_type ?? ''} packets but only ${short.nb_read_packets} are there` : ran.stderr;
    throw new MediaError('media_truncated', `${basename(file)} is cut short (${detail.replace(/\s+/g, ' ').trim()}); copy it again from its source.`);
  }
  // A cover picture in an audio file is a "video" stream too; it is not the footage.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(out.format.duration);
  return {
    facts: {
      durationSeconds: Number.isFinite(duration) ? duration : null,
      container: out.format.format_name,
      videoCodec: video?.codec_name ?? null,
      width: video?.width ?? null,
      height: video?.height ?? null,
      audioCodec: audio?.codec_name ?? null,
      createdAt: creationTime([out.format.tags, ...streams.map((s) => s.tags)]),
    },
  };
}

function creationTime(tagSets: Array<Record<string, string> | undefined>): string | null {
  for (const tags of tagSets) {
    const value = tags?.creation_time;
    if (!value) continue;
    const t = Date.parse(value);
    // Cameras with unset clocks write 1970 or 1904 (the QuickTime epoch): no time at all.
    if (Number.isFinite(t) && t > Date.UTC(1980, 0, 1)) return new Date(t).toISOString();
  }
  return null;
}

/** One frame at `atSeconds` as a JPEG, at most `width` pixels wide (640 by default). */
export async function posterFrame(path: string, atSeconds: number, options: MediaToolOptions & { width?: number } = {}): Promise<Optional<'jpeg', Buffer>> {
  if (!Number.isFinite(atSeconds) || atSeconds < 0) throw new RangeError(`posterFrame: atSeconds must be a time in seconds from the start, not ${atSeconds}`);
  const file = resolve(path);
  const tool = options.ffmpeg ?? 'ffmpeg';
  const width = Math.max(16, Math.round(options.width ?? 640));
  const args = ['-v', 'error', '-nostdin', '-ss', atSeconds.toFixed(3), '-i', file, '-frames:v', '1', '-vf', `scale='min(${width},iw)':-2`, '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '4', 'pipe:1'];
  const ran = await run(tool, args, file, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (!ran) return { jpeg: null, reason: notInstalled(tool) };
  const jpeg = ran.stdout;
  if (jpeg.length < 3 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) {
    throw new MediaError('no_frame', `${basename(file)} has no picture at ${atSeconds} s${ran.stderr ? `: ${ran.stderr}` : ' (past its end, or no video in it)'}.`);
  }
  return { jpeg };
}
