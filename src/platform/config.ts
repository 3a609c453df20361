import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

/** Every PEEL_* variable with its default; the README's configuration table mirrors this. */
const schema = z.object({
  PEEL_DB_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://…')
    .default('sqlite:./data/peel.db'),
  PEEL_BLOBS: z
    .string()
    .min(1)
    .refine((v) => !v.startsWith('s3://') || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v), 'must be a folder path or s3://BUCKET/PREFIX (bucket: 3 to 63 lowercase letters, digits, dots or hyphens)')
    .default('./data/blobs'),
  /** S3-compatible storage, used when PEEL_BLOBS is s3://…; without keys, AWS's usual credential sources apply. */
  PEEL_S3_ENDPOINT: z.url().optional(),
  PEEL_S3_REGION: z.string().min(1).default('us-east-1'),
  PEEL_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  PEEL_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  PEEL_S3_FORCE_PATH_STYLE: bool.default(false),
  /** where partial uploads wait; default: `uploads` beside a blob folder (same disk, so finishing is a rename) */
  PEEL_UPLOADS: z.string().min(1).optional(),
  PEEL_UPLOAD_MAX_BYTES: positiveInt.default(68_719_476_736),
  PEEL_HOST: z.string().default('127.0.0.1'),
  PEEL_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PEEL_PUBLIC_URL: z.url().optional(),
  PEEL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PEEL_TRUST_PROXY: bool.default(false),
  PEEL_SESSION_IDLE_MINUTES: positiveInt.default(30),
  PEEL_SESSION_ABSOLUTE_HOURS: positiveInt.default(12),
  PEEL_LOGIN_MAX_FAILURES: positiveInt.default(5),
  PEEL_LOGIN_LOCKOUT_MINUTES: positiveInt.default(15),
  PEEL_TOKEN_DEFAULT_DAYS: positiveInt.default(90),
  PEEL_BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  PEEL_RATE_LIMIT_LOGIN_PER_MINUTE: positiveInt.default(10),
  PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: positiveInt.default(60),
  // The name the citizen-reporting issue gives the same limit; when set it wins.
  PEEL_PUBLIC_RATE_LIMIT: positiveInt.optional(),
  PEEL_OIDC_ISSUER: z.url().optional(),
  PEEL_OIDC_CLIENT_ID: z.string().min(1).optional(),
  PEEL_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  PEEL_OIDC_LABEL: z.string().min(1).default('Sign in with single sign-on'),
  PEEL_OIDC_SCOPES: z.string().default('openid profile email'),
  PEEL_OIDC_ROLE_CLAIM: z.string().min(1).default('roles'),
  PEEL_OIDC_ROLE_MAP: z.string().default(''),
  PEEL_OIDC_DEFAULT_ROLE: z.string().optional(),
  PEEL_WEB_DIR: z.string().default('./web/dist'),
  PEEL_MAP_STYLE_URL: z.url().optional(),
  /** crime types whose forecast the server computes ahead of the first request; "off" for none */
  PEEL_FORECAST_WARM: z
    .string()
    .default('Burglary')
    .transform((v) => (v.trim() === 'off' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean))),
  PEEL_MAP_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url().transform((u) => new URL(u).origin))),
});

export type Config = z.infer<typeof schema> & { oidc: OidcConfig | undefined };

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  label: string;
  scopes: string;
  roleClaim: string;
  /** claim value → Peel role, in order of preference */
  roleMap: Array<[string, string]>;
  defaultRole: string | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates PEEL_* variables; names each bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, roles: readonly string[] = []): Config {
  const picked = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('PEEL_') && v !== ''));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    // A secret's value is never repeated in an error message, which may end up in a log.
    const shown = (name: string) => (/SECRET/.test(name) ? 'a value, not shown' : JSON.stringify(picked[name]));
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${shown(String(i.path[0]))})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (Boolean(c.PEEL_S3_ACCESS_KEY_ID) !== Boolean(c.PEEL_S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  PEEL_S3_ACCESS_KEY_ID and PEEL_S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (c.PEEL_PUBLIC_RATE_LIMIT !== undefined) c.PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE = c.PEEL_PUBLIC_RATE_LIMIT;
  let oidc: OidcConfig | undefined;
  if (c.PEEL_OIDC_ISSUER) {
    if (!c.PEEL_OIDC_CLIENT_ID) throw new ConfigError('Invalid configuration:\n  PEEL_OIDC_CLIENT_ID: required when PEEL_OIDC_ISSUER is set');
    const roleMap = parseRoleMap(c.PEEL_OIDC_ROLE_MAP, roles);
    if (c.PEEL_OIDC_DEFAULT_ROLE && roles.length && !roles.includes(c.PEEL_OIDC_DEFAULT_ROLE)) {
      throw new ConfigError(`Invalid configuration:\n  PEEL_OIDC_DEFAULT_ROLE: unknown role "${c.PEEL_OIDC_DEFAULT_ROLE}"; roles are ${roles.join(', ')}`);
    }
    oidc = {
      issuer: c.PEEL_OIDC_ISSUER,
      clientId: c.PEEL_OIDC_CLIENT_ID,
      clientSecret: c.PEEL_OIDC_CLIENT_SECRET,
      label: c.PEEL_OIDC_LABEL,
      scopes: c.PEEL_OIDC_SCOPES,
      roleClaim: c.PEEL_OIDC_ROLE_CLAIM,
      roleMap,
      defaultRole: c.PEEL_OIDC_DEFAULT_ROLE,
    };
  }
  return { ...c, oidc };
}

/** "Peel.Analysts=analyst,Peel.Admins=admin" → [["Peel.Analysts","analyst"],…] */
function parseRoleMap(text: string, roles: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw new ConfigError(`Invalid configuration:\n  PEEL_OIDC_ROLE_MAP: "${part}" is not CLAIM_VALUE=ROLE`);
    const claimValue = part.slice(0, eq).trim();
    const role = part.slice(eq + 1).trim();
    if (roles.length && !roles.includes(role)) {
      throw new ConfigError(`Invalid configuration:\n  PEEL_OIDC_ROLE_MAP: unknown role "${role}" in "${part}"; roles are ${roles.join(', ')}`);
    }
    pairs.push([claimValue, role]);
  }
  return pairs;
}
