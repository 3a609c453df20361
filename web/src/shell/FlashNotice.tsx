import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { SuccessBanner } from './forms.tsx';

/** Shows the "done" message a previous page passed along when it sent the user here. */
export function FlashNotice() {
  const location = useLocation();
  const navigate = useNavigate();
  const passed = (location.state as { notice?: unknown } | null)?.notice;
  const [notice] = useState(typeof passed === 'string' ? passed : null);

  // Say it once: drop it from the history entry so that a reload does not repeat it.
  useEffect(() => {
    if (passed !== undefined) navigate(location.pathname + location.search, { replace: true, state: null });
  }, [passed, navigate, location.pathname, location.search]);

  return notice ? <SuccessBanner>{notice}</SuccessBanner> : null;
}
