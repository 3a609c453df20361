import { z } from 'zod';
import { STAFF_ROLES } from '../roles.ts';

/**
 * What the sign-in, account, user and token routes reply: the schemas they validate and
 * document their replies with. The web app takes its types from these (type-only imports).
 */

export const role = z.enum(STAFF_ROLES);
export const pending = z.enum(['change_password', 'enrol_totp']).nullable();
export const user = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  role,
  roleLabel: z.string(),
  totpEnabled: z.boolean(),
  sso: z.boolean(),
  disabled: z.boolean(),
  locked: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export const token = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const roleSetting = z.object({ role, label: z.string(), totpRequired: z.boolean() });
/** a page the user's role may use, as the server lists it */
export const navItem = z.object({ id: z.string(), title: z.string(), path: z.string(), description: z.string() });

export type User = z.infer<typeof user>;
export type ApiToken = z.infer<typeof token>;
export type RolePolicy = z.infer<typeof roleSetting>;
export type NavItem = z.infer<typeof navItem>;
export type Pending = z.infer<typeof pending>;
