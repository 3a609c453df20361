import { Outlet } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { NotFound } from '../shell/NotFound.tsx';

/** Staff area safety: the roles the server lets read it (control room, supervisors, analysts). */
const AREA_SAFETY_ROLES = ['control_room', 'supervisor', 'analyst'];

export function RequireAreaSafetyRole() {
  const { session } = useSession();
  if (!session || !AREA_SAFETY_ROLES.includes(session.user.role)) return <NotFound />;
  return <Outlet />;
}
