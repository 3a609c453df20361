import { z } from 'zod';
import { cliActor } from '../../platform/actor.ts';
import { parseOptions, UsageError } from '../../platform/cli-options.ts';
import type { Command } from '../../platform/context.ts';
import * as feeds from './feeds.ts';

/** `peel reports sources` and `peel reports poll`: the feeds, from the server's console. */
export const reportsCommand: Command = {
  name: 'reports',
  summary: 'citizen reports: list the feed sources, poll feeds now',
  usage: `peel reports sources [--json]
    the RSS, Atom, JSON Feed and webhook sources, with when each was last polled and its last problem
peel reports poll [--source ID] [--json]
    poll one feed now, or every active feed; prints what was taken in, seen before, or rejected and why.
    Exits 1 when a feed could not be read or an item was rejected.`,
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub === 'sources') {
      const o = parseOptions(rest, { json: { type: 'boolean' } }, z.object({ json: z.boolean().optional() }));
      const list = await feeds.listSources((await open()).db);
      if (o.json) console.log(JSON.stringify({ sources: list }));
      else if (!list.length) console.log('No feed sources yet: an administrator adds them on the Report settings page.');
      else for (const s of list) console.log(`${String(s.id).padStart(4)}  ${s.kind.padEnd(8)} ${s.active ? 'on ' : 'off'}  ${s.name}${s.url ? `  ${s.url}` : ''}${s.lastError ? `\n        last problem: ${s.lastError}` : ''}`);
      return 0;
    }
    if (sub === 'poll') {
      const o = parseOptions(rest, { json: { type: 'boolean' }, source: { type: 'string' } }, z.object({ json: z.boolean().optional(), source: z.coerce.number().int().positive().optional() }));
      const { db } = await open();
      const ids = o.source ? [o.source] : (await feeds.listSources(db)).filter((s) => s.active && s.kind !== 'webhook').map((s) => s.id);
      let failed = false;
      const results = [];
      for (const id of ids) {
        try {
          const r = await feeds.pollSource(db, cliActor(), id);
          if (r.rejected.length) failed = true;
          results.push({ source: id, ...r });
          if (!o.json) {
            console.log(`source ${id}: ${r.accepted.length} new, ${r.duplicates.length} seen before, ${r.rejected.length} rejected`);
            for (const x of r.rejected) console.log(`  item ${x.index}${x.id ? ` (${x.id})` : ''}: ${x.problem}`);
          }
        } catch (err) {
          failed = true;
          results.push({ source: id, error: (err as Error).message });
          if (!o.json) console.log(`source ${id}: ${(err as Error).message}`);
        }
      }
      if (o.json) console.log(JSON.stringify({ results }));
      else if (!ids.length) console.log('No active feeds to poll.');
      return failed ? 1 : 0;
    }
    throw new UsageError(sub ? `unknown reports command "${sub}"` : 'say which: sources or poll');
  },
};
