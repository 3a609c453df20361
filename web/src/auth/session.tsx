import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, api, setCsrfToken, setSessionEndedHandler } from '../api.ts';

export type { NavItem, Pending, User } from '../../../src/platform/auth/replies.ts';
import type { NavItem, Pending, User } from '../../../src/platform/auth/replies.ts';

export interface Session {
  user: User;
  csrfToken: string;
  pending: Pending;
  navigation: NavItem[];
}

/** Where a pending step is done; while one is pending the app shows only that page. */
export const PENDING_PATHS: Record<Exclude<Pending, null>, string> = {
  change_password: '/account/password',
  enrol_totp: '/account/totp',
};

/** Why there is no session any more, to tell the user on the sign-in page. */
export type SessionEnd = 'signed_out' | 'expired' | null;

interface SessionContextValue {
  /** undefined while the first check is in flight, null when signed out. */
  session: Session | null | undefined;
  ended: SessionEnd;
  /** Reloads the session from the server; resolves to null when signed out. */
  refresh: () => Promise<Session | null>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState<SessionEnd>(null);
  const navigate = useNavigate();

  const refresh = useCallback(async () => {
    try {
      const me = await api<Session>('/api/auth/me', { signedOutIsFine: true });
      setCsrfToken(me.csrfToken);
      setEnded(null);
      setSession(me);
      return me;
    } catch (error) {
      // Being signed out is an answer, not an error; anything else still leaves us signed out.
      if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
      setCsrfToken(null);
      setSession(null);
      return null;
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api<void>('/api/auth/logout', { method: 'POST' });
    } finally {
      setCsrfToken(null);
      setEnded('signed_out');
      setSession(null);
      // Pages behind sign-in redirect by themselves (see RequireSession), with the
      // same state; this covers the rest, such as "Page not found".
      navigate('/sign-in', { replace: true, state: { signedOut: true } });
    }
  }, [navigate]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Any API call that finds the session gone ends it here; the page guard then
  // sends the user to sign in, and back to this page afterwards.
  useEffect(() => {
    setSessionEndedHandler(() => {
      setEnded('expired');
      setSession(null);
    });
    return () => setSessionEndedHandler(null);
  }, []);

  const value = useMemo(() => ({ session, ended, refresh, signOut }), [session, ended, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside SessionProvider');
  return value;
}

/** The signed-in session, for pages that only render when there is one. */
export function useSignedIn(): Session & Omit<SessionContextValue, 'session' | 'ended'> {
  const { session, refresh, signOut } = useSession();
  if (!session) throw new Error('useSignedIn needs a session');
  return { ...session, refresh, signOut };
}
