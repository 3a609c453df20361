import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase } from '../db/test-db.ts';
import { migrate } from '../db/migrate.ts';
import { auditMigrations } from './migrations.ts';
import * as audit from './service.ts';
import type { Actor } from '../actor.ts';

const actor: Actor = { userId: 7, username: 'a.smith', role: 'analyst', ip: '10.0.0.5' };

async function setup() {
  const database = await openTestDatabase();
  await migrate(database.db, database.dialect, [auditMigrations]);
  for (let i = 1; i <= 5; i++) {
    await audit.record(database.db, actor, { operation: 'consultation', action: 'crime.records.view', recordType: 'crime', recordIds: [i, i + 100], reasonCode: 'investigation' });
  }
  return database;
}

/** Drops the append-only guard, as someone with database access could. */
async function dropGuard(database: Awaited<ReturnType<typeof setup>>) {
  if (database.dialect === 'sqlite') {
    await sql`drop trigger audit_log_no_update`.execute(database.db);
    await sql`drop trigger audit_log_no_delete`.execute(database.db);
  } else {
    await sql`drop trigger audit_log_no_change on audit_log`.execute(database.db);
  }
}

test('an intact chain verifies', async () => {
  const database = await setup();
  try {
    assert.deepEqual(await audit.verify(database.db), { ok: true, entries: 5, firstBad: null, problem: null });
  } finally {
    await database.close();
  }
});

test('the database refuses updates and deletes of entries', async () => {
  const database = await setup();
  try {
    await assert.rejects(sql`update audit_log set role = 'admin' where seq = 2`.execute(database.db), /append-only/);
    await assert.rejects(sql`delete from audit_log where seq = 2`.execute(database.db), /append-only/);
  } finally {
    await database.close();
  }
});

test('a hand-edited entry is named', async () => {
  const database = await setup();
  try {
    await dropGuard(database);
    await sql`update audit_log set justification = 'routine' where seq = 3`.execute(database.db);
    const r = await audit.verify(database.db);
    assert.equal(r.ok, false);
    assert.equal(r.firstBad, 3);
    assert.match(r.problem!, /altered/);
  } finally {
    await database.close();
  }
});

test('a deleted entry in the middle is named as missing', async () => {
  const database = await setup();
  try {
    await dropGuard(database);
    await sql`delete from audit_log where seq = 2`.execute(database.db);
    const r = await audit.verify(database.db);
    assert.equal(r.firstBad, 2);
    assert.match(r.problem!, /missing/);
  } finally {
    await database.close();
  }
});

test('a deleted last entry is detected through the head', async () => {
  const database = await setup();
  try {
    await dropGuard(database);
    await sql`delete from audit_log where seq = 5`.execute(database.db);
    const r = await audit.verify(database.db);
    assert.equal(r.ok, false);
    assert.equal(r.firstBad, 5);
  } finally {
    await database.close();
  }
});

test('a rewritten entry with a recomputed hash breaks the link to the next', async () => {
  const database = await setup();
  try {
    await dropGuard(database);
    const row = (await database.db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow()) as Parameters<typeof audit.entryHash>[0];
    const forged = { ...row, role: 'admin' };
    await sql`update audit_log set role = 'admin', hash = ${audit.entryHash(forged)} where seq = 2`.execute(database.db);
    const r = await audit.verify(database.db);
    assert.equal(r.firstBad, 3);
    assert.match(r.problem!, /does not link/);
  } finally {
    await database.close();
  }
});

test('consultation without a justification is refused and writes nothing', async () => {
  const database = await setup();
  try {
    await assert.rejects(
      audit.record(database.db, actor, { operation: 'consultation', action: 'crime.records.view', recordType: 'crime', recordIds: [1] }),
      (e: Error & { code?: string }) => e.code === 'justification_required',
    );
    assert.equal((await audit.verify(database.db)).entries, 5);
  } finally {
    await database.close();
  }
});

test('an entry rolls back with the change it records', async () => {
  const database = await setup();
  try {
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await audit.record(trx, actor, { operation: 'erasure', action: 'x.delete', recordType: 'x', recordIds: [1] });
        throw new Error('the change failed');
      }),
    );
    assert.deepEqual(await audit.verify(database.db), { ok: true, entries: 5, firstBad: null, problem: null });
  } finally {
    await database.close();
  }
});

test('concurrent appends keep one unbroken chain', async () => {
  const database = await setup();
  try {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.record(database.db, actor, { operation: 'alteration', action: 'x.update', recordType: 'x', recordIds: [i] }),
      ),
    );
    assert.deepEqual(await audit.verify(database.db), { ok: true, entries: 25, firstBad: null, problem: null });
  } finally {
    await database.close();
  }
});

test('search by record finds every entry that touched it, newest first, and is itself logged', async () => {
  const database = await setup();
  try {
    const r = await audit.search(database.db, { ...actor, role: 'auditor', userId: 9, username: 'dpo' }, { recordType: 'crime', recordId: '103' }, 10);
    assert.deepEqual(r.entries.map((e) => e.seq), [3]);
    const all = await audit.search(database.db, { ...actor, role: 'auditor', userId: 9, username: 'dpo' }, { username: 'A.Smith' }, 2);
    assert.deepEqual(all.entries.map((e) => e.seq), [5, 4]);
    assert.equal(all.nextCursor, 4);
    const next = await audit.search(database.db, { ...actor, role: 'auditor', userId: 9, username: 'dpo' }, { username: 'a.smith', before: 4 }, 10);
    assert.deepEqual(next.entries.map((e) => e.seq), [3, 2, 1]);
    const logged = await audit.search(database.db, { ...actor, role: 'auditor', userId: 9, username: 'dpo' }, { action: 'audit.search' }, 10);
    assert.equal(logged.entries.length, 3);
  } finally {
    await database.close();
  }
});

test('CSV export quotes every cell and defuses formulas', async () => {
  const database = await setup();
  try {
    await audit.record(database.db, actor, { operation: 'collection', action: 'x.create', recordType: 'x', recordIds: ['=HYPERLINK("http://evil")'] });
    const lines: string[] = [];
    for await (const l of await audit.exportEntries(database.db, actor, { action: 'x.create' }, 'csv', 'annual audit')) lines.push(l);
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.includes(`"'[""=HYPERLINK(""http://evil"")""]"`) || lines[1]!.includes('"[""=HYPERLINK'), lines[1]);
    await assert.rejects(audit.exportEntries(database.db, actor, {}, 'jsonl', null), /justification/);
  } finally {
    await database.close();
  }
});
