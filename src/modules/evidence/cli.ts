import { z } from 'zod';
import { cliActor, systemActor } from '../../platform/actor.ts';
import { parseOptions, UsageError } from '../../platform/cli-options.ts';
import type { Command } from '../../platform/context.ts';
import { dockOnce, readDeviceMap, watchDock } from './dock.ts';
import { sweep, verify } from './sweep.ts';
import { ABANDONED_AFTER_DAYS, uploadsDir } from './uploads.ts';

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant, e.g. 2026-12-01T00:00:00Z' }).transform((s) => new Date(s));

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'evidence store: retention sweep, blob verification, docking-station ingest',
  usage: `peel evidence sweep [--now ISO] [--dry-run] [--json]
    deletes what the retention rules say is due (blob and derived copies; a tombstone with
    the hash stays), one audit entry per deletion; uploads untouched for 7 days are removed
    with their staged bytes; --dry-run lists what would go.
    --json: {"deleted":[ids],"details":[{"id","sha256","rule","derivedFrom"}],"dryRun","now","abandonedUploads":[ids]}
peel evidence verify [--json]
    re-hashes every stored blob against its item and walks the audit chain;
    --json: {"ok","problems":[{"itemId","problem"}],"items","audit"}. Exit 0 only when ok.
peel evidence dock WATCH_DIR --device-map FILE [--once] [--json] [--interval SECONDS]
    ingests files docking stations drop in WATCH_DIR/<camera serial>/, assigning each to the
    officer the camera was issued to at its recording time (device map: CSV with columns
    serial,officer,from,to or a JSON array of {serial,officer,from,to}); a file is taken once
    its size and modification time hold still across two polls, and its source is removed
    only after the stored copy's SHA-256 matches. --once: one pass (two polls), then exit.`,
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub === 'sweep') {
      const o = parseOptions(
        rest,
        { now: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
        z.object({ now: instant.optional(), 'dry-run': z.boolean().optional(), json: z.boolean().optional() }),
      );
      const { db, blobs, config } = await open();
      const r = await sweep(db, blobs, cliActor(), o.now ?? new Date(), !!o['dry-run'], uploadsDir(config));
      if (o.json) console.log(JSON.stringify({ deleted: r.deleted, details: r.details, dryRun: r.dryRun, now: r.now, abandonedUploads: r.abandonedUploads }));
      else {
        console.log(`${r.dryRun ? 'Would delete' : 'Deleted'} ${r.deleted.length} item${r.deleted.length === 1 ? '' : 's'} as of ${r.now}.`);
        for (const d of r.details) console.log(`  item ${d.id}  ${d.sha256}  ${d.rule}`);
        if (r.abandonedUploads.length) console.log(`${r.dryRun ? 'Would remove' : 'Removed'} ${r.abandonedUploads.length} upload(s) untouched for ${ABANDONED_AFTER_DAYS} days.`);
      }
      return 0;
    }
    if (sub === 'verify') {
      const o = parseOptions(rest, { json: { type: 'boolean' } }, z.object({ json: z.boolean().optional() }));
      const { db, blobs } = await open();
      const r = await verify(db, blobs);
      if (o.json) console.log(JSON.stringify({ ok: r.ok, problems: r.problems, items: r.items, audit: r.audit }));
      else {
        console.log(r.ok ? `All ${r.items} stored items match their hashes; the audit log's ${r.audit.entries} entries are intact.` : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${r.items} stored items:`);
        for (const p of r.problems) console.log(`  ${p.itemId === null ? 'audit log' : `item ${p.itemId}`}: ${p.problem}`);
      }
      return r.ok ? 0 : 1;
    }
    if (sub === 'dock') {
      const o = parseOptions(
        rest,
        { 'device-map': { type: 'string' }, once: { type: 'boolean' }, json: { type: 'boolean' }, interval: { type: 'string' } },
        z.object({
          'device-map': z.string({ error: 'is required: the file saying which officer each camera was issued to' }).min(1),
          once: z.boolean().optional(),
          json: z.boolean().optional(),
          interval: z.coerce.number().min(0.05).max(3600).default(5),
        }),
      );
      const [dir, ...extra] = o._;
      if (!dir || extra.length) throw new UsageError('give one WATCH_DIR');
      const devices = await readDeviceMap(o['device-map']);
      const platform = await open();
      const intervalMs = o.interval * 1000;
      const report = (r: Awaited<ReturnType<typeof dockOnce>>) => {
        if (o.json) console.log(JSON.stringify(r));
        else for (const f of r.files) console.log(`${f.status.padEnd(9)} ${f.path}${f.itemId ? `  → item ${f.itemId}` : ''}${f.reason ? `  (${f.reason})` : ''}`);
      };
      if (o.once) {
        const r = await dockOnce(platform, systemActor, dir, devices, intervalMs);
        report(r);
        return r.files.some((f) => f.status === 'refused' || f.status === 'failed') ? 1 : 0;
      }
      await watchDock(platform, systemActor, dir, devices, intervalMs, report);
      return 0;
    }
    throw new UsageError(sub ? `unknown evidence command "${sub}"` : 'say which: sweep, verify or dock');
  },
};
