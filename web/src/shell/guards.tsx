import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { PENDING_PATHS, useSession } from '../auth/session.tsx';
import { Loading } from './Loading.tsx';
import { NotFound } from './NotFound.tsx';

/** Pages behind sign-in: sends signed-out users to sign in, and pending users to their step. */
export function RequireSession() {
  const { session, ended } = useSession();
  const location = useLocation();
  if (session === undefined) return <Loading />;
  if (session === null) {
    // After signing out, the next person to sign in here starts at the home page;
    // otherwise come back to this page after signing in.
    const state =
      ended === 'signed_out'
        ? { signedOut: true }
        : { from: location.pathname + location.search, expired: ended === 'expired' };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  if (session.pending && location.pathname !== PENDING_PATHS[session.pending]) {
    return <Navigate to={PENDING_PATHS[session.pending]} replace />;
  }
  return <Outlet />;
}

/**
 * Pages the server lists in this role's navigation. Others are "not found" to this
 * user: the server refuses their data anyway, and this avoids a page of errors.
 */
export function RequireNavItem({ id }: { id: string }) {
  const { session } = useSession();
  if (!session?.navigation.some((item) => item.id === id)) return <NotFound />;
  return <Outlet />;
}
