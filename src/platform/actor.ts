/** Who is doing something, and from where: what every audit entry needs. */
export interface Actor {
  userId: number | null;
  username: string | null;
  /** a Role, or `system` for the scheduler and `cli` for an operator at the server's console */
  role: string;
  ip: string | null;
}

export const anonymous = (ip: string | null): Actor => ({ userId: null, username: null, role: 'public', ip });

/** An operator running `peel …` on the server itself. */
export function cliActor(): Actor {
  return { userId: null, username: `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`, role: 'cli', ip: null };
}

export const systemActor: Actor = { userId: null, username: 'system', role: 'system', ip: null };
