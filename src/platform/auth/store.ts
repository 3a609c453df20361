import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/index.ts';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  password_hash: string | null;
  must_change_password: number;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  failed_logins: number;
  locked_until: string | null;
  disabled: number;
  sso_issuer: string | null;
  sso_subject: string | null;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  method: string;
  pending: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
}

export interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

interface Tables {
  users: Omit<UserRow, 'id'> & { id?: number };
  sessions: SessionRow;
  api_tokens: Omit<TokenRow, 'id'> & { id?: number };
  role_settings: { role: string; totp_required: number };
  sso_requests: { state_hash: string; code_verifier: string; nonce: string; return_to: string; expires_at: string };
}

const t = (db: Db) => db as Kysely<Tables>;
const user = (row: Selectable<Tables['users']> | undefined): UserRow | undefined =>
  row ? ({ ...row, id: Number(row.id), totp_last_step: row.totp_last_step === null ? null : Number(row.totp_last_step) } as UserRow) : undefined;

export const findUserByUsername = async (db: Db, username: string) =>
  user(await t(db).selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst());

export const findUserById = async (db: Db, id: number) => user(await t(db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());

export const findUserBySso = async (db: Db, issuer: string, subject: string) =>
  user(await t(db).selectFrom('users').selectAll().where('sso_issuer', '=', issuer).where('sso_subject', '=', subject).executeTakeFirst());

export async function listUsers(db: Db): Promise<UserRow[]> {
  return (await t(db).selectFrom('users').selectAll().orderBy('username').execute()).map((r) => user(r)!);
}

export const countUsers = async (db: Db): Promise<number> =>
  Number((await t(db).selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

export async function insertUser(db: Db, row: Omit<UserRow, 'id'>): Promise<UserRow> {
  const inserted = await t(db).insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  return user(inserted)!;
}

export async function updateUser(db: Db, id: number, patch: Partial<Omit<UserRow, 'id'>>): Promise<UserRow> {
  const row = await t(db)
    .updateTable('users')
    .set({ ...patch, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return user(row)!;
}

/** Counts a failed sign-in and returns the new count; atomic, so parallel guesses all count. */
export async function countFailedLogin(db: Db, id: number): Promise<number> {
  const row = await t(db)
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', id)
    .returning('failed_logins')
    .executeTakeFirstOrThrow();
  return Number(row.failed_logins);
}

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await t(db).insertInto('sessions').values(row).execute();
}

export const findSession = async (db: Db, idHash: string) =>
  t(db).selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();

export async function updateSession(db: Db, idHash: string, patch: Partial<SessionRow>): Promise<void> {
  await t(db).updateTable('sessions').set(patch).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await t(db).deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a user, optionally but one (after a password change). */
export async function deleteUserSessions(db: Db, userId: number, except?: string): Promise<void> {
  let q = t(db).deleteFrom('sessions').where('user_id', '=', userId);
  if (except) q = q.where('id_hash', '!=', except);
  await q.execute();
}

export async function deleteExpiredSessions(db: Db, now: string, idleBefore: string): Promise<number> {
  const r = await t(db).deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)])).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function insertToken(db: Db, row: Omit<TokenRow, 'id'>): Promise<TokenRow> {
  const r = await t(db).insertInto('api_tokens').values(row).returningAll().executeTakeFirstOrThrow();
  return { ...r, id: Number(r.id), user_id: Number(r.user_id) } as TokenRow;
}

export const findTokenByHash = async (db: Db, hash: string) =>
  t(db).selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();

export async function listTokens(db: Db, userId: number): Promise<TokenRow[]> {
  const rows = await t(db).selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: Number(r.user_id) }) as TokenRow);
}

export async function updateToken(db: Db, id: number, patch: Partial<TokenRow>): Promise<void> {
  await t(db).updateTable('api_tokens').set(patch).where('id', '=', id).execute();
}

export async function findToken(db: Db, id: number) {
  const r = await t(db).selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? ({ ...r, id: Number(r.id), user_id: Number(r.user_id) } as TokenRow) : undefined;
}

export async function roleSettings(db: Db): Promise<Array<{ role: string; totp_required: number }>> {
  return t(db).selectFrom('role_settings').selectAll().orderBy('role').execute();
}

export async function setRoleTotp(db: Db, role: string, required: boolean): Promise<void> {
  await t(db).updateTable('role_settings').set({ totp_required: required ? 1 : 0 }).where('role', '=', role).execute();
}

export async function insertSsoRequest(db: Db, row: Tables['sso_requests']): Promise<void> {
  await t(db).deleteFrom('sso_requests').where('expires_at', '<', new Date().toISOString()).execute();
  await t(db).insertInto('sso_requests').values(row).execute();
}

/** Takes a pending SSO request once: deleting and reading in one statement, so two callbacks cannot both use a state. */
export async function takeSsoRequest(db: Db, stateHash: string) {
  return t(db).deleteFrom('sso_requests').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
}
