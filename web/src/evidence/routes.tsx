import { lazy, Suspense, type ReactNode } from 'react';
import { Outlet, Route } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { NotFound } from '../shell/NotFound.tsx';
import { Loading } from '../shell/Loading.tsx';
import { CUSTODY_ROLES, MANAGE_ROLES } from './types.ts';
import './evidence.css';

// The evidence pages load on first use: the upload page brings tus-js-client.
const EvidenceItems = lazy(() => import('./EvidenceItems.tsx'));
const UploadFootage = lazy(() => import('./UploadFootage.tsx'));
const ItemPage = lazy(() => import('./ItemPage.tsx'));
const Custody = lazy(() => import('./Custody.tsx'));
const Worklist = lazy(() => import('./Worklist.tsx'));
const CategoriesAdmin = lazy(() => import('./CategoriesAdmin.tsx'));
const SharedEvidence = lazy(() => import('./SharedEvidence.tsx'));
const UploadRequests = lazy(() => import('./UploadRequests.tsx'));
const SendFootage = lazy(() => import('./SendFootage.tsx'));

/** The navigation item (from the evidence module's `navigation`) that opens these pages. */
export const EVIDENCE_NAV = 'evidence';

/**
 * Like RequireNavItem; or, for pages the API serves to roles without the navigation item
 * (administrators: categories; auditors: custody trails), exactly those roles.
 */
function RequireEvidence({ roles }: { roles?: readonly string[] }) {
  const { session } = useSession();
  const allowed = roles ? !!session && roles.includes(session.user.role) : !!session?.navigation.some((item) => item.id === EVIDENCE_NAV);
  return allowed ? <Outlet /> : <NotFound />;
}

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

/** Staff pages: put inside <RequireSession>. Called as a function so the <Route>s sit directly in <Routes>. */
export function evidenceRoutes() {
  return (
    <>
      <Route element={<RequireEvidence />}>
        <Route path="/evidence" element={page(<EvidenceItems />)} />
        <Route path="/evidence/upload" element={page(<UploadFootage />)} />
        <Route path="/evidence/worklist" element={page(<Worklist />)} />
        <Route path="/evidence/items/:id" element={page(<ItemPage />)} />
      </Route>
      <Route element={<RequireEvidence roles={MANAGE_ROLES} />}>
        <Route path="/evidence/requests" element={page(<UploadRequests />)} />
      </Route>
      <Route element={<RequireEvidence roles={CUSTODY_ROLES} />}>
        <Route path="/evidence/items/:id/custody" element={page(<Custody />)} />
      </Route>
      <Route element={<RequireEvidence roles={['admin']} />}>
        <Route path="/evidence/categories" element={page(<CategoriesAdmin />)} />
      </Route>
    </>
  );
}

/** Pages for people with no account (a share's recipient, a member of the public sending footage): outside <RequireSession>. */
export function evidencePublicRoutes() {
  return (
    <>
      <Route path="/shared/:token" element={page(<SharedEvidence />)} />
      <Route path="/send-footage/:token" element={page(<SendFootage />)} />
    </>
  );
}
