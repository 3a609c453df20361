import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { base32Decode, totp } from '../../lib/totp.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../../test/harness.ts';
import { systemActor } from '../actor.ts';
import * as auth from './service.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp({ PEEL_LOGIN_MAX_FAILURES: '3', PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
});
after(() => t.close());

const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });

test('password sign-in sets an httpOnly, SameSite session cookie and /me answers the user', async () => {
  const u = await t.user('analyst');
  const { res, cookie, csrf } = await t.signIn(u.username);
  assert.equal(res.statusCode, 200);
  const set = String(res.headers['set-cookie']);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Lax/);
  assert.ok(csrf.length >= 24);
  const body = (await me(cookie)).json();
  assert.equal(body.user.username, u.username);
  assert.equal(body.user.role, 'analyst');
  assert.deepEqual(body.navigation.map((n: { id: string }) => n.id), ['crime', 'area-safety', 'account']);
  const stored = await t.platform.db.selectFrom('sessions').select('id_hash').execute();
  assert.ok(!stored.some((s) => cookie.includes(s.id_hash)), 'the session secret itself is not stored');
});

test('wrong credentials answer 401 without saying which part was wrong', async () => {
  const u = await t.user('officer');
  const wrong = await t.signIn(u.username, 'not the password at all');
  const unknown = await t.signIn('nobody-here', 'not the password at all');
  assert.equal(wrong.res.statusCode, 401);
  assert.equal(unknown.res.statusCode, 401);
  assert.deepEqual(wrong.res.json(), unknown.res.json());
  assert.equal((await me('peel_session=forged')).statusCode, 401);
});

test('repeated failures lock the account, even against the right password, until an admin unlocks it', async () => {
  const u = await t.user('officer');
  for (let i = 0; i < 3; i++) assert.equal((await t.signIn(u.username, 'wrong password here')).res.statusCode, 401);
  const locked = await t.signIn(u.username);
  assert.equal(locked.res.json().error.code, 'account_locked');
  const admin = await t.user('admin');
  const unlock = await t.app.inject({ method: 'POST', url: `/api/users/${u.id}/unlock`, headers: { authorization: `Bearer ${admin.token}` } });
  assert.equal(unlock.statusCode, 204);
  assert.equal((await t.signIn(u.username)).res.statusCode, 200);
  const logged = await t.platform.db.selectFrom('audit_log').select('action').where('action', 'in', ['auth.locked', 'users.unlock']).execute();
  assert.deepEqual(logged.map((r) => r.action).sort(), ['auth.locked', 'users.unlock']);
});

test('a one-time password must be changed before anything else', async () => {
  const admin = await t.user('admin');
  const created = await t.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${admin.token}` }, payload: { username: 'new.starter', displayName: 'New Starter', role: 'supervisor' } });
  assert.equal(created.statusCode, 200);
  const otp = created.json().oneTimePassword as string;
  const s = await t.signIn('new.starter', otp);
  assert.equal(s.res.json().pending, 'change_password');
  assert.equal((await me(s.cookie)).json().navigation.length, 0);
  const blocked = await t.app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie: s.cookie } });
  assert.equal(blocked.statusCode, 403);
  assert.equal(blocked.json().error.code, 'password_change_required');
  const weak = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { currentPassword: otp, newPassword: 'short' } });
  assert.equal(weak.json().error.code, 'weak_password');
  const changed = await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { currentPassword: otp, newPassword: 'three random words here' } });
  assert.deepEqual(changed.json(), { pending: null });
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie: s.cookie } })).statusCode, 200);
  assert.equal((await t.signIn('new.starter', otp)).res.statusCode, 401, 'the one-time password no longer works');
});

test('a role that requires TOTP makes its users enrol, then sign in with a code that cannot be replayed', async () => {
  const admin = await t.user('admin');
  const u = await t.user('evidence_officer');
  const policy = await t.app.inject({ method: 'PUT', url: '/api/roles/evidence_officer', headers: { authorization: `Bearer ${admin.token}` }, payload: { totpRequired: true } });
  assert.equal(policy.json().totpRequired, true);
  const s = await t.signIn(u.username);
  assert.equal(s.res.json().pending, 'enrol_totp');
  const h = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/tokens', headers: { cookie: s.cookie } })).json().error.code, 'totp_enrolment_required');
  const setup = (await t.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: h })).json();
  assert.match(setup.uri, /^otpauth:\/\/totp\/Peel:/);
  const secret = base32Decode(setup.secret);
  const now = Date.now() / 1000;
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: h, payload: { code: '000000' === totp(secret, now) ? '111111' : '000000' } })).statusCode, 400);
  const confirm = await t.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: h, payload: { code: totp(secret, now) } });
  assert.deepEqual(confirm.json(), { pending: null });

  const noCode = await t.signIn(u.username);
  assert.equal(noCode.res.json().error.code, 'totp_required');
  // The code used to enrol is spent; the next step's code works once.
  const next = totp(secret, now + 30);
  assert.equal((await t.signIn(u.username, TEST_PASSWORD, next)).res.statusCode, 200);
  assert.equal((await t.signIn(u.username, TEST_PASSWORD, next)).res.json().error.code, 'invalid_totp');
  await t.app.inject({ method: 'PUT', url: '/api/roles/evidence_officer', headers: { authorization: `Bearer ${admin.token}` }, payload: { totpRequired: false } });
});

test('cookie-authenticated writes need the CSRF token; bearer-token writes do not', async () => {
  const u = await t.user('analyst');
  const s = await t.signIn(u.username);
  const without = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: s.cookie }, payload: { name: 'x' } });
  assert.equal(without.statusCode, 403);
  assert.equal(without.json().error.code, 'csrf_failed');
  const wrong = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: s.cookie, 'x-csrf-token': 'guess' }, payload: { name: 'x' } });
  assert.equal(wrong.statusCode, 403);
  const right = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { name: 'x' } });
  assert.equal(right.statusCode, 200);
  const bearer = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${u.token}` }, payload: { name: 'y' } });
  assert.equal(bearer.statusCode, 200);
});

test('sessions end after idle time, at their absolute limit, and at sign-out', async () => {
  const u = await t.user('supervisor');
  const idle = await t.signIn(u.username);
  const stale = new Date(Date.now() - 31 * 60_000).toISOString();
  await sql`update sessions set last_seen_at = ${stale}`.execute(t.platform.db);
  assert.equal((await me(idle.cookie)).statusCode, 401);

  const old = await t.signIn(u.username);
  await sql`update sessions set expires_at = ${new Date(Date.now() - 1000).toISOString()}`.execute(t.platform.db);
  assert.equal((await me(old.cookie)).statusCode, 401);

  const s = await t.signIn(u.username);
  assert.equal((await me(s.cookie)).statusCode, 200);
  const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  assert.equal(out.statusCode, 204);
  assert.equal((await me(s.cookie)).statusCode, 401);
});

test('API tokens are stored hashed, work as Bearer, and stop working when revoked or expired', async () => {
  const u = await t.user('analyst');
  const created = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${u.token}` }, payload: { name: 'nightly import', expiresInDays: 30 } })).json();
  assert.match(created.token, /^peel_[A-Za-z0-9_-]{43}$/);
  const rows = await t.platform.db.selectFrom('api_tokens').select(['token_hash']).execute();
  assert.ok(rows.every((r) => r.token_hash !== created.token && !r.token_hash.includes(created.token)));
  const bearer = { authorization: `Bearer ${created.token}` };
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer })).json().user.username, u.username);
  const listed = (await t.app.inject({ method: 'GET', url: '/api/tokens', headers: bearer })).json().tokens;
  assert.ok(listed.every((x: Record<string, unknown>) => !('token' in x) && !('token_hash' in x)));
  assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/tokens/${created.id}`, headers: bearer })).statusCode, 204);
  const revoked = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer });
  assert.equal(revoked.statusCode, 401);
  assert.equal(revoked.json().error.code, 'invalid_token');

  await sql`update api_tokens set expires_at = ${new Date(Date.now() - 1000).toISOString()} where user_id = ${u.id}`.execute(t.platform.db);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${u.token}` } })).statusCode, 401);
});

test("one user cannot revoke another's token", async () => {
  const a = await t.user('analyst');
  const b = await t.user('analyst');
  const tokenB = (await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${b.token}` }, payload: { name: 'b' } })).json();
  const res = await t.app.inject({ method: 'DELETE', url: `/api/tokens/${tokenB.id}`, headers: { authorization: `Bearer ${a.token}` } });
  assert.equal(res.statusCode, 404);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${tokenB.token}` } })).statusCode, 200);
});

test('disabling a user ends their sessions and refuses their tokens; the last admin cannot be removed', async () => {
  const admin = await t.user('admin');
  const u = await t.user('control_room');
  const s = await t.signIn(u.username);
  const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${u.id}`, headers: { authorization: `Bearer ${admin.token}` }, payload: { disabled: true } });
  assert.equal(res.json().user.disabled, true);
  assert.equal((await me(s.cookie)).statusCode, 401);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${u.token}` } })).statusCode, 401);
  assert.equal((await t.signIn(u.username)).res.json().error.code, 'account_disabled');

  const admins = (await t.platform.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).execute()).map((r) => Number(r.id));
  for (const id of admins.filter((id) => id !== admin.id)) await auth.updateUser(t.platform.db, systemActor, id, { role: 'analyst' });
  const last = await t.app.inject({ method: 'PATCH', url: `/api/users/${admin.id}`, headers: { authorization: `Bearer ${admin.token}` }, payload: { role: 'analyst' } });
  assert.equal(last.statusCode, 409);
  assert.equal(last.json().error.code, 'last_admin');
});

test('user administration is written to the audit log in the same breath', async () => {
  const admin = await t.user('admin');
  const created = (await t.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${admin.token}` }, payload: { username: 'audited.user', role: 'officer' } })).json();
  await t.app.inject({ method: 'PATCH', url: `/api/users/${created.user.id}`, headers: { authorization: `Bearer ${admin.token}` }, payload: { role: 'supervisor' } });
  const entries = await t.platform.db.selectFrom('audit_log').selectAll().where('record_type', '=', 'user').where('record_ids', '=', JSON.stringify([String(created.user.id)])).orderBy('seq').execute();
  assert.deepEqual(entries.map((e) => [e.action, e.operation, e.username]), [
    ['users.create', 'collection', admin.username],
    ['users.update', 'alteration', admin.username],
  ]);
  assert.equal(entries[0]!.client_ip, '127.0.0.1');
  const dup = await t.app.inject({ method: 'POST', url: '/api/users', headers: { authorization: `Bearer ${admin.token}` }, payload: { username: 'Audited.User', role: 'officer' } });
  assert.equal(dup.statusCode, 409);
});
