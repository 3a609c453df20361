import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Actor } from '../../platform/actor.ts';
import { UsageError } from '../../platform/cli-options.ts';
import type { Platform } from '../../platform/context.ts';
import { checkClaim, probeFile, sniffFile } from './ingest.ts';
import { createItem } from './service.ts';
import * as store from './store.ts';

/** One camera's issue to an officer: from (inclusive) to (exclusive; open when absent). */
export interface Issue {
  serial: string;
  officer: string;
  from: string;
  to: string | null;
}

const issue = z.object({
  serial: z.string().trim().min(1),
  officer: z.string().trim().min(1),
  from: z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString()),
  to: z
    .union([z.iso.datetime({ offset: true }), z.literal(''), z.null()])
    .optional()
    .transform((s) => (s ? new Date(s).toISOString() : null)),
});

/** The device map: a JSON array of {serial, officer, from, to} or a CSV with those columns. Names the bad line. */
export async function readDeviceMap(path: string): Promise<Issue[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--device-map: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
  const rows: Array<{ where: string; value: unknown }> = [];
  if (text.trimStart().startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--device-map: ${path} is not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(list)) throw new UsageError(`--device-map: ${path} must hold a JSON array`);
    list.forEach((value, i) => rows.push({ where: `${path} entry ${i + 1}`, value }));
  } else {
    const lines = text.split(/\r?\n/);
    const header = lines[0]!.split(',').map((h) => h.trim().toLowerCase());
    for (const col of ['serial', 'officer', 'from']) if (!header.includes(col)) throw new UsageError(`--device-map: ${path} line 1 must name the columns serial,officer,from,to (missing ${col})`);
    lines.slice(1).forEach((line, i) => {
      if (!line.trim()) return;
      const cells = line.split(',').map((c) => c.trim());
      rows.push({ where: `${path} line ${i + 2}`, value: Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])) });
    });
  }
  return rows.map(({ where, value }) => {
    const parsed = issue.safeParse(value);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new UsageError(`--device-map: ${where}: ${i.path.join('.')}: ${i.message}`);
    }
    return parsed.data;
  });
}

export function officerAt(devices: Issue[], serial: string, at: string): string | null {
  const hit = devices.find((d) => d.serial === serial && d.from <= at && (d.to === null || at < d.to));
  return hit?.officer ?? null;
}

export interface DockFile {
  path: string;
  status: 'ingested' | 'duplicate' | 'busy' | 'refused' | 'failed';
  itemId?: number;
  reason?: string;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function hashStored(platform: Platform, sha256: string): Promise<string | null> {
  if (!(await platform.blobs.stat(sha256))) return null;
  const hash = createHash('sha256');
  for await (const chunk of await platform.blobs.get(sha256)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One pass over WATCH_DIR/<serial>/*: files whose size and modification time held still
 * between two looks `settleMs` apart are hashed, stored, recorded and checked, and only
 * then removed. Each step can be repeated: a file already stored (same hash) is checked
 * and removed, not stored twice, so a crash at any point loses nothing and doubles nothing.
 */
export async function dockOnce(platform: Platform, actor: Actor, dir: string, devices: Issue[], settleMs: number): Promise<{ files: DockFile[] }> {
  const found: Array<{ serial: string; path: string; name: string; size: number; mtimeMs: number }> = [];
  for (const serial of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.'))) {
    for (const f of await readdir(join(dir, serial.name), { withFileTypes: true })) {
      if (!f.isFile() || f.name.startsWith('.')) continue;
      const path = join(dir, serial.name, f.name);
      const s = await stat(path);
      found.push({ serial: serial.name, path, name: f.name, size: s.size, mtimeMs: s.mtimeMs });
    }
  }
  if (found.length) await sleep(settleMs);
  const files: DockFile[] = [];
  for (const f of found) {
    const now = await stat(f.path).catch(() => null);
    if (!now || now.size !== f.size || now.mtimeMs !== f.mtimeMs) {
      files.push({ path: f.path, status: 'busy', reason: 'still being written' });
      continue;
    }
    try {
      files.push(await ingestFile(platform, actor, f, devices));
    } catch (err) {
      files.push({ path: f.path, status: 'failed', reason: (err as Error).message });
    }
  }
  return { files };
}

async function ingestFile(platform: Platform, actor: Actor, f: { serial: string; path: string; name: string; mtimeMs: number }, devices: Issue[]): Promise<DockFile> {
  const sha256 = await hashFile(f.path);
  const existing = await store.findStoredBySha(platform.db, sha256);
  if (existing) {
    if ((await hashStored(platform, sha256)) !== sha256) return { path: f.path, status: 'failed', reason: 'already recorded, but the stored copy does not match; the source is kept' };
    await rm(f.path);
    return { path: f.path, status: 'duplicate', itemId: existing.id };
  }
  const sniffed = await sniffFile(f.path);
  try {
    checkClaim(f.name, null, sniffed);
  } catch (err) {
    return { path: f.path, status: 'refused', reason: (err as Error).message.replace(' It was not stored.', ' It is left where it is.') };
  }
  // The recording time: what the footage says of itself, else the file's modification time.
  const probed = sniffed?.kind === 'video' ? await probeFile(f.path) : null;
  const recordedStart = probed?.createdAt ?? new Date(f.mtimeMs).toISOString();
  const end = probed?.media.durationSeconds ? new Date(Date.parse(recordedStart) + probed.media.durationSeconds * 1000).toISOString() : null;
  const posterSha256 = probed?.poster ? (await platform.blobs.put(probed.poster)).sha256 : null;
  const facts = { mimeType: sniffed?.mime ?? null, media: probed?.media ?? null, posterSha256, recordedEnd: end };
  const officer = officerAt(devices, f.serial, recordedStart);
  if (!officer) return { path: f.path, status: 'refused', reason: `camera ${f.serial} was not issued to anyone at ${recordedStart}; add it to the device map` };
  const stored = await platform.blobs.put(createReadStream(f.path));
  if (stored.sha256 !== sha256) return { path: f.path, status: 'failed', reason: 'the file changed while it was being read; it will be taken on a later pass' };
  const { item } = await createItem(platform.db, actor, { sha256, size: stored.size, source: 'dock', filename: f.name, officer, deviceSerial: f.serial, recordedStart, ...facts });
  if ((await hashStored(platform, sha256)) !== sha256) return { path: f.path, status: 'failed', itemId: item.id, reason: 'the stored copy does not match the source; the source is kept' };
  await rm(f.path);
  return { path: f.path, status: 'ingested', itemId: item.id };
}

/** Watches until SIGINT or SIGTERM, a pass every `intervalMs`. */
export async function watchDock(platform: Platform, actor: Actor, dir: string, devices: Issue[], intervalMs: number, report: (r: { files: DockFile[] }) => void): Promise<void> {
  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopping) {
    const r = await dockOnce(platform, actor, dir, devices, intervalMs);
    if (r.files.length) report(r);
    await sleep(intervalMs);
  }
}
