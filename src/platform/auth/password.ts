import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';
import { PeelError } from '../errors.ts';

// scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum is 2^17 with r=8 for 64 MiB;
// 2^15 keeps sign-in under 100 ms on two cores and is stored per hash so it can be raised).
const N = 32768;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEYLEN, { N: n, r, p, maxmem: 128 * n * r * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  const want = Buffer.from(hash, 'base64url');
  return key.length === want.length && timingSafeEqual(key, want);
}

/** A hash of nothing, checked when the username is unknown so timing does not tell which usernames exist. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEYLEN).toString('base64url')}`;

/** NCSC guidance: length over complexity rules; refuse the obvious. */
export function checkPasswordStrength(password: string, username: string): void {
  if (password.length < 12) throw new PeelError('weak_password', 'Use a password of at least 12 characters; three random words work well.');
  if (password.length > 256) throw new PeelError('weak_password', 'Use a password of at most 256 characters.');
  const lower = password.toLowerCase();
  if (lower.includes(username.toLowerCase()) && username.length >= 3) throw new PeelError('weak_password', 'Your password must not contain your username.');
  if (/^(.)\1+$/.test(password) || /^(password|qwerty|123456|letmein)/i.test(password)) {
    throw new PeelError('weak_password', 'That password is too easy to guess; three random words work well.');
  }
}

/** A one-time password an admin can read out: four groups of four, no look-alike characters. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Random secret for session cookies and API tokens; only its SHA-256 is stored. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
