import type { Actor } from '../actor.ts';
import * as audit from '../audit/service.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { PeelError, notFound } from '../errors.ts';
import { ROLE_LABELS, STAFF_ROLES, isStaffRole, type StaffRole } from '../roles.ts';
import { base32Decode, newTotpSecret, totpUri, verifyTotp } from '../../lib/totp.ts';
import { DUMMY_HASH, checkPasswordStrength, hashPassword, oneTimePassword, randomToken, sha256, verifyPassword } from './password.ts';
import * as store from './store.ts';
import type { SessionRow, TokenRow, UserRow } from './store.ts';

export type Pending = 'change_password' | 'enrol_totp' | null;

export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  roleLabel: string;
  totpEnabled: boolean;
  sso: boolean;
  disabled: boolean;
  locked: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export function publicUser(u: UserRow, now = new Date()): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role as StaffRole,
    roleLabel: ROLE_LABELS[u.role as StaffRole] ?? u.role,
    totpEnabled: u.totp_enabled === 1,
    sso: u.sso_subject !== null,
    disabled: u.disabled === 1,
    locked: u.locked_until !== null && u.locked_until > now.toISOString(),
    lastLoginAt: u.last_login_at,
    createdAt: u.created_at,
  };
}

/** Lower-case letters, digits, dot, hyphen, underscore: safe in logs, URLs and file names. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

function checkUsername(username: string): string {
  const u = username.trim().toLowerCase();
  if (!USERNAME.test(u)) throw new PeelError('invalid_username', 'A username is 2 to 64 characters: letters, digits, dot, hyphen or underscore, starting with a letter or digit.');
  return u;
}

function checkRole(role: string): StaffRole {
  if (!isStaffRole(role)) throw new PeelError('invalid_role', `Unknown role "${role}"; roles are ${STAFF_ROLES.join(', ')}.`);
  return role;
}

// ——— user administration ———

export interface NewUser {
  username: string;
  displayName?: string;
  role: string;
  /** set for a known password; otherwise a one-time password is made and must be changed at first sign-in */
  password?: string;
}

export async function createUser(db: Db, actor: Actor, input: NewUser): Promise<{ user: PublicUser; oneTimePassword: string | null }> {
  const username = checkUsername(input.username);
  const role = checkRole(input.role);
  const otp = input.password === undefined ? oneTimePassword() : null;
  if (input.password !== undefined) checkPasswordStrength(input.password, username);
  const passwordHash = await hashPassword(input.password ?? otp!);
  return db.transaction().execute(async (trx) => {
    if (await store.findUserByUsername(trx, username)) throw new PeelError('username_taken', `The username "${username}" is already in use.`, 409);
    const row = await store.insertUser(trx, {
      ...newUserRow(username, input.displayName?.trim() || username, role),
      password_hash: passwordHash,
      must_change_password: otp ? 1 : 0,
    });
    await audit.record(trx, actor, { operation: 'collection', action: 'users.create', recordType: 'user', recordIds: [row.id], details: { role } });
    return { user: publicUser(row), oneTimePassword: otp };
  });
}

export async function listUsers(db: Db, actor: Actor): Promise<PublicUser[]> {
  const rows = await store.listUsers(db);
  await audit.record(db, actor, { operation: 'consultation', action: 'users.list', recordType: 'user', recordIds: [], reasonCode: 'account_administration', details: { returned: rows.length } });
  return rows.map((r) => publicUser(r));
}

/** A new account with nothing set but its name and role. */
function newUserRow(username: string, displayName: string, role: StaffRole): Omit<UserRow, 'id'> {
  const now = new Date().toISOString();
  return {
    username,
    display_name: displayName,
    role,
    password_hash: null,
    must_change_password: 0,
    totp_secret: null,
    totp_enabled: 0,
    totp_last_step: null,
    failed_logins: 0,
    locked_until: null,
    disabled: 0,
    sso_issuer: null,
    sso_subject: null,
    created_at: now,
    updated_at: now,
    last_login_at: null,
  };
}

async function mustFindUser(db: Db, id: number): Promise<UserRow> {
  const u = await store.findUserById(db, id);
  if (!u) throw notFound(`User ${id}`);
  return u;
}

async function mustFindByName(db: Db, username: string): Promise<UserRow> {
  const u = await store.findUserByUsername(db, username);
  if (!u) throw notFound(`User "${username}"`);
  return u;
}

export const userIdByName = async (db: Db, username: string): Promise<number> => (await mustFindByName(db, username)).id;

/** Refuses a change that would leave no active administrator. */
async function keepAnAdmin(db: Db, target: UserRow, next: { role: string; disabled: number }): Promise<void> {
  if (target.role !== 'admin' || target.disabled) return;
  if (next.role === 'admin' && !next.disabled) return;
  const others = (await store.listUsers(db)).filter((u) => u.role === 'admin' && !u.disabled && u.id !== target.id);
  if (!others.length) throw new PeelError('last_admin', 'This is the only active administrator; make another administrator first.', 409);
}

export async function updateUser(db: Db, actor: Actor, id: number, patch: { role?: string; disabled?: boolean; displayName?: string }): Promise<PublicUser> {
  return db.transaction().execute(async (trx) => {
    const u = await mustFindUser(trx, id);
    const role = patch.role === undefined ? u.role : checkRole(patch.role);
    const disabled = patch.disabled === undefined ? u.disabled : patch.disabled ? 1 : 0;
    await keepAnAdmin(trx, u, { role, disabled });
    const row = await store.updateUser(trx, id, { role, disabled, display_name: patch.displayName?.trim() || u.display_name });
    // A new role or a disabled account takes effect at once: end the user's sessions.
    if (role !== u.role || disabled) await store.deleteUserSessions(trx, id);
    const changed = Object.fromEntries(
      Object.entries({ role: [u.role, role], disabled: [u.disabled === 1, disabled === 1], displayName: [u.display_name, row.display_name] }).filter(([, [a, b]]) => a !== b),
    );
    await audit.record(trx, actor, { operation: 'alteration', action: 'users.update', recordType: 'user', recordIds: [id], details: { changed: Object.keys(changed), role: changed.role ?? undefined } });
    return publicUser(row);
  });
}

export async function resetPassword(db: Db, actor: Actor, id: number): Promise<string> {
  const otp = oneTimePassword();
  const hash = await hashPassword(otp);
  await db.transaction().execute(async (trx) => {
    const u = await mustFindUser(trx, id);
    if (u.sso_subject && !u.password_hash) throw new PeelError('sso_account', 'This account signs in through single sign-on; its password is managed there.', 409);
    await store.updateUser(trx, id, { password_hash: hash, must_change_password: 1, failed_logins: 0, locked_until: null });
    await store.deleteUserSessions(trx, id);
    await audit.record(trx, actor, { operation: 'alteration', action: 'users.reset_password', recordType: 'user', recordIds: [id] });
  });
  return otp;
}

export async function resetTotp(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await mustFindUser(trx, id);
    await store.updateUser(trx, id, { totp_secret: null, totp_enabled: 0, totp_last_step: null });
    await store.deleteUserSessions(trx, id);
    await audit.record(trx, actor, { operation: 'alteration', action: 'users.reset_totp', recordType: 'user', recordIds: [id] });
  });
}

export async function unlockUser(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await mustFindUser(trx, id);
    await store.updateUser(trx, id, { failed_logins: 0, locked_until: null });
    await audit.record(trx, actor, { operation: 'alteration', action: 'users.unlock', recordType: 'user', recordIds: [id] });
  });
}

export async function listRoles(db: Db): Promise<Array<{ role: StaffRole; label: string; totpRequired: boolean }>> {
  const settings = new Map((await store.roleSettings(db)).map((r) => [r.role, r.totp_required === 1]));
  return STAFF_ROLES.map((role) => ({ role, label: ROLE_LABELS[role], totpRequired: settings.get(role) ?? false }));
}

export async function setRoleTotp(db: Db, actor: Actor, role: string, required: boolean) {
  const r = checkRole(role);
  await db.transaction().execute(async (trx) => {
    await store.setRoleTotp(trx, r, required);
    await audit.record(trx, actor, { operation: 'security', action: 'roles.set_totp_required', recordType: 'role', recordIds: [r], details: { required } });
  });
  return { role: r, label: ROLE_LABELS[r], totpRequired: required };
}

// ——— signing in ———

export interface SignedIn {
  /** the session secret for the cookie; only its hash is stored */
  token: string;
  session: SessionRow;
  user: UserRow;
}

async function totpRequiredFor(db: Db, role: string): Promise<boolean> {
  return (await store.roleSettings(db)).some((r) => r.role === role && r.totp_required === 1);
}

/** What the user must do before anything else: change a one-time password, then enrol a second factor if the role requires it. */
async function pendingFor(db: Db, u: UserRow): Promise<Pending> {
  if (u.must_change_password) return 'change_password';
  if (!u.totp_enabled && !u.sso_subject && (await totpRequiredFor(db, u.role))) return 'enrol_totp';
  return null;
}

async function startSession(db: Db, config: Config, u: UserRow, method: 'password' | 'sso', ip: string | null, pending: Pending): Promise<SignedIn> {
  const token = randomToken();
  const now = new Date();
  const session: SessionRow = {
    id_hash: sha256(token),
    user_id: u.id,
    csrf_token: randomToken(24),
    method,
    pending,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + config.PEEL_SESSION_ABSOLUTE_HOURS * 3_600_000).toISOString(),
    client_ip: ip,
  };
  await store.insertSession(db, session);
  return { token, session, user: u };
}

const badCredentials = () => new PeelError('invalid_credentials', 'The username or password is not right.', 401);

export interface LoginInput {
  username: string;
  password: string;
  totp?: string | undefined;
}

export async function login(db: Db, config: Config, input: LoginInput, ip: string | null, now = new Date()): Promise<SignedIn> {
  const u = await store.findUserByUsername(db, input.username.trim());
  const actorFor = (x: UserRow | undefined): Actor => ({ userId: x?.id ?? null, username: x?.username ?? null, role: x?.role ?? 'public', ip });
  const fail = async (reason: string, error: PeelError, count: boolean): Promise<never> => {
    await db.transaction().execute(async (trx) => {
      await audit.record(trx, actorFor(u), { operation: 'security', action: 'auth.login_failed', recordType: 'user', recordIds: u ? [u.id] : [], details: { reason } });
      if (u && count) {
        const failures = await store.countFailedLogin(trx, u.id);
        if (failures >= config.PEEL_LOGIN_MAX_FAILURES) {
          const until = new Date(now.getTime() + config.PEEL_LOGIN_LOCKOUT_MINUTES * 60_000).toISOString();
          await store.updateUser(trx, u.id, { failed_logins: 0, locked_until: until });
          await audit.record(trx, actorFor(u), { operation: 'security', action: 'auth.locked', recordType: 'user', recordIds: [u.id], details: { failures, until } });
        }
      }
    });
    throw error;
  };
  const passwordOk = await verifyPassword(input.password, u?.password_hash ?? DUMMY_HASH);
  if (!u || !u.password_hash) return fail('unknown user or no password', badCredentials(), false);
  if (u.locked_until && u.locked_until > now.toISOString()) {
    return fail('locked', new PeelError('account_locked', `Too many failed attempts: this account is locked until ${u.locked_until.slice(11, 16)} UTC. An administrator can unlock it sooner.`, 401), false);
  }
  if (!passwordOk) return fail('wrong password', badCredentials(), true);
  if (u.disabled) return fail('disabled', new PeelError('account_disabled', 'This account is disabled. Ask an administrator.', 401), false);
  if (u.totp_enabled) {
    if (!input.totp) throw new PeelError('totp_required', 'Enter the 6-digit code from your authenticator app.', 401);
    const step = verifyTotp(base32Decode(u.totp_secret!), input.totp.trim(), now.getTime() / 1000, u.totp_last_step);
    if (step === null) return fail('wrong code', new PeelError('invalid_totp', 'That code is not right or has been used; wait for the next one.', 401), true);
    await store.updateUser(db, u.id, { totp_last_step: step });
  }
  return db.transaction().execute(async (trx) => {
    const updated = await store.updateUser(trx, u.id, { failed_logins: 0, locked_until: null, last_login_at: now.toISOString() });
    const signedIn = await startSession(trx, config, updated, 'password', ip, await pendingFor(trx, updated));
    await audit.record(trx, actorFor(u), { operation: 'security', action: 'auth.login', recordType: 'user', recordIds: [u.id], details: { method: 'password' } });
    return signedIn;
  });
}

/** The user and session behind a session cookie, if still valid; refreshes its idle timer. */
export async function sessionFromCookie(db: Db, config: Config, token: string, now = new Date()): Promise<{ session: SessionRow; user: UserRow } | null> {
  const idHash = sha256(token);
  const session = await store.findSession(db, idHash);
  if (!session) return null;
  const idleLimit = new Date(now.getTime() - config.PEEL_SESSION_IDLE_MINUTES * 60_000).toISOString();
  if (session.expires_at <= now.toISOString() || session.last_seen_at < idleLimit) {
    await store.deleteSession(db, idHash);
    return null;
  }
  const u = await store.findUserById(db, Number(session.user_id));
  if (!u || u.disabled) return null;
  // Refresh at most once a minute: idle time is measured in minutes, writes on every request are waste.
  if (now.getTime() - Date.parse(session.last_seen_at) > 60_000) await store.updateSession(db, idHash, { last_seen_at: now.toISOString() });
  return { session: { ...session, user_id: Number(session.user_id) }, user: u };
}

export async function logout(db: Db, actor: Actor, sessionIdHash: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await store.deleteSession(trx, sessionIdHash);
    await audit.record(trx, actor, { operation: 'security', action: 'auth.logout', recordType: 'user', recordIds: actor.userId ? [actor.userId] : [] });
  });
}

export async function changePassword(db: Db, actor: Actor, sessionIdHash: string | null, current: string, next: string): Promise<Pending> {
  const u = await mustFindUser(db, actor.userId!);
  if (!u.password_hash) throw new PeelError('sso_account', 'This account signs in through single sign-on; change your password there.', 409);
  if (!(await verifyPassword(current, u.password_hash))) throw new PeelError('invalid_credentials', 'Your current password is not right.', 400);
  checkPasswordStrength(next, u.username);
  if (current === next) throw new PeelError('weak_password', 'Choose a new password, not the one you have.');
  const hash = await hashPassword(next);
  return db.transaction().execute(async (trx) => {
    const updated = await store.updateUser(trx, u.id, { password_hash: hash, must_change_password: 0 });
    await store.deleteUserSessions(trx, u.id, sessionIdHash ?? undefined);
    const pending = await pendingFor(trx, updated);
    if (sessionIdHash) await store.updateSession(trx, sessionIdHash, { pending });
    await audit.record(trx, actor, { operation: 'security', action: 'auth.change_password', recordType: 'user', recordIds: [u.id] });
    return pending;
  });
}

export async function totpSetup(db: Db, actor: Actor): Promise<{ secret: string; uri: string }> {
  const u = await mustFindUser(db, actor.userId!);
  if (u.totp_enabled) throw new PeelError('totp_already_enabled', 'A second factor is already set up; an administrator can reset it.', 409);
  const secret = newTotpSecret();
  await store.updateUser(db, u.id, { totp_secret: secret });
  return { secret, uri: totpUri(secret, u.username) };
}

export async function totpConfirm(db: Db, actor: Actor, sessionIdHash: string | null, code: string, now = new Date()): Promise<Pending> {
  const u = await mustFindUser(db, actor.userId!);
  if (u.totp_enabled) throw new PeelError('totp_already_enabled', 'A second factor is already set up.', 409);
  if (!u.totp_secret) throw new PeelError('totp_not_started', 'Start setting up the authenticator first.', 409);
  const step = verifyTotp(base32Decode(u.totp_secret), code.trim(), now.getTime() / 1000, null);
  if (step === null) throw new PeelError('invalid_totp', 'That code is not right; check the time on your phone and try the next code.', 400);
  return db.transaction().execute(async (trx) => {
    const updated = await store.updateUser(trx, u.id, { totp_enabled: 1, totp_last_step: step });
    const pending = await pendingFor(trx, updated);
    if (sessionIdHash) await store.updateSession(trx, sessionIdHash, { pending });
    await audit.record(trx, actor, { operation: 'security', action: 'auth.totp_enrol', recordType: 'user', recordIds: [u.id] });
    return pending;
  });
}

// ——— API tokens ———

export interface PublicToken {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const publicToken = (r: TokenRow): PublicToken => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export async function createToken(db: Db, actor: Actor, userId: number, name: string, days: number): Promise<{ token: string } & PublicToken> {
  if (!name.trim()) throw new PeelError('invalid_request', 'Give the token a name that says what uses it.');
  if (!(days >= 1 && days <= 366)) throw new PeelError('invalid_request', 'A token lasts between 1 and 366 days.');
  const token = `peel_${randomToken(32)}`;
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    await mustFindUser(trx, userId);
    const row = await store.insertToken(trx, {
      user_id: userId,
      name: name.trim(),
      token_hash: sha256(token),
      prefix: token.slice(0, 12),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + days * 86_400_000).toISOString(),
      revoked_at: null,
      last_used_at: null,
    });
    await audit.record(trx, actor, { operation: 'security', action: 'tokens.create', recordType: 'api_token', recordIds: [row.id], details: { userId, days } });
    return { token, ...publicToken(row) };
  });
}

export async function listTokens(db: Db, userId: number): Promise<PublicToken[]> {
  return (await store.listTokens(db, userId)).map(publicToken);
}

/** Revokes a token; its owner or an administrator may. */
export async function revokeToken(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await store.findToken(trx, id);
    if (!row || (row.user_id !== actor.userId && actor.role !== 'admin' && actor.role !== 'cli')) throw notFound(`Token ${id}`);
    if (!row.revoked_at) await store.updateToken(trx, id, { revoked_at: new Date().toISOString() });
    await audit.record(trx, actor, { operation: 'security', action: 'tokens.revoke', recordType: 'api_token', recordIds: [id] });
  });
}

export async function userFromToken(db: Db, token: string, now = new Date()): Promise<UserRow | null> {
  const row = await store.findTokenByHash(db, sha256(token));
  if (!row || row.revoked_at || row.expires_at <= now.toISOString()) return null;
  const u = await store.findUserById(db, Number(row.user_id));
  if (!u || u.disabled) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
    await store.updateToken(db, Number(row.id), { last_used_at: now.toISOString() });
  }
  return u;
}

// ——— single sign-on ———

export interface SsoIdentity {
  issuer: string;
  subject: string;
  username: string;
  displayName: string;
  role: StaffRole;
}

/** Signs in an identity the provider vouched for: creates the user on first sign-in and keeps the role in step with the provider. */
export async function ssoSignIn(db: Db, config: Config, id: SsoIdentity, ip: string | null): Promise<SignedIn> {
  return db.transaction().execute(async (trx) => {
    let u = await store.findUserBySso(trx, id.issuer, id.subject);
    const actor = (x: UserRow): Actor => ({ userId: x.id, username: x.username, role: x.role, ip });
    const now = new Date().toISOString();
    if (!u) {
      let username = checkUsername(id.username.replace(/@.*$/, '').replace(/[^a-z0-9._-]/gi, '.').toLowerCase() || id.subject);
      if (await store.findUserByUsername(trx, username)) username = checkUsername(`${username}.${sha256(id.subject).slice(0, 6)}`);
      u = await store.insertUser(trx, { ...newUserRow(username, id.displayName || username, id.role), sso_issuer: id.issuer, sso_subject: id.subject });
      await audit.record(trx, actor(u), { operation: 'collection', action: 'users.create_sso', recordType: 'user', recordIds: [u.id], details: { role: id.role } });
    } else if (u.role !== id.role || u.display_name !== id.displayName) {
      const before = u.role;
      u = await store.updateUser(trx, u.id, { role: id.role, display_name: id.displayName || u.display_name });
      if (before !== id.role) {
        await audit.record(trx, actor(u), { operation: 'alteration', action: 'users.sso_role_sync', recordType: 'user', recordIds: [u.id], details: { role: id.role, previousRole: before } });
      }
    }
    if (u.disabled) throw new PeelError('account_disabled', 'This account is disabled in Peel. Ask an administrator.', 403);
    u = await store.updateUser(trx, u.id, { last_login_at: now });
    const signedIn = await startSession(trx, config, u, 'sso', ip, null);
    await audit.record(trx, actor(u), { operation: 'security', action: 'auth.login', recordType: 'user', recordIds: [u.id], details: { method: 'sso' } });
    return signedIn;
  });
}

export { sha256 };
