import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { cliActor } from '../actor.ts';
import { parseOptions, UsageError } from '../cli-options.ts';
import type { Command } from '../context.ts';
import * as audit from './service.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the audit log hash chain, or export it',
  usage: `peel audit verify [--json]            exits 1 and names the first missing or altered entry
peel audit export --justification TEXT [--format csv|jsonl] [--out FILE] [--username U] [--action A] [--from ISO] [--to ISO]`,
  async run(args, open) {
    const [sub, ...rest] = args;
    if (sub === 'verify') {
      const o = parseOptions(rest, { json: { type: 'boolean' } }, z.object({ json: z.boolean().optional() }));
      const { db } = await open();
      const tty = process.stderr.isTTY && !o.json;
      const r = await audit.verify(db, tty ? (n) => process.stderr.write(`\rchecked ${n.toLocaleString('en-GB')} entries…`) : undefined);
      if (tty) process.stderr.write('\r\x1b[K');
      if (o.json) console.log(JSON.stringify(r));
      else if (r.ok) console.log(`The audit log is intact: ${r.entries.toLocaleString('en-GB')} entries, each linked to the one before.`);
      else console.log(`The audit log is BROKEN at entry ${r.firstBad}: ${r.problem}.\n${r.entries} entries before it are intact.`);
      return r.ok ? 0 : 1;
    }
    if (sub === 'export') {
      const o = parseOptions(
        rest,
        { format: { type: 'string' }, out: { type: 'string' }, justification: { type: 'string' }, username: { type: 'string' }, action: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
        z.object({
          format: z.enum(['csv', 'jsonl']).default('csv'),
          out: z.string().optional(),
          justification: z.string({ error: 'is required: say why the log is being exported' }).min(3),
          username: z.string().optional(),
          action: z.string().optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
      );
      const { db } = await open();
      const lines = await audit.exportEntries(db, cliActor(), { username: o.username, action: o.action, from: o.from && new Date(o.from).toISOString(), to: o.to && new Date(o.to).toISOString() }, o.format, o.justification);
      await pipeline(Readable.from(lines), o.out ? createWriteStream(o.out) : process.stdout);
      if (o.out) console.error(`Exported to ${o.out}.`);
      return 0;
    }
    throw new UsageError(sub ? `unknown audit command "${sub}"` : 'say which audit command: verify or export');
  },
};
