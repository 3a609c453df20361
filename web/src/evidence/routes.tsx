import { lazy, Suspense, type ReactNode } from 'react';
import { Route } from 'react-router-dom';
import { RequireNavItem } from '../shell/guards.tsx';
import { Loading } from '../shell/Loading.tsx';
import './evidence.css';

// The evidence pages load on first use: the upload page brings tus-js-client.
const EvidenceItems = lazy(() => import('./EvidenceItems.tsx'));
const UploadFootage = lazy(() => import('./UploadFootage.tsx'));
const ItemPage = lazy(() => import('./ItemPage.tsx'));
const Custody = lazy(() => import('./Custody.tsx'));
const Worklist = lazy(() => import('./Worklist.tsx'));
const CategoriesAdmin = lazy(() => import('./CategoriesAdmin.tsx'));
const SharedEvidence = lazy(() => import('./SharedEvidence.tsx'));

/** The navigation items (from the evidence module's `navigation`) that open these pages. */
export const EVIDENCE_NAV = 'evidence';
export const EVIDENCE_ADMIN_NAV = 'evidence-categories';

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

/** Staff pages: put inside <RequireSession>. Called as a function so the <Route>s sit directly in <Routes>. */
export function evidenceRoutes() {
  return (
    <>
      <Route element={<RequireNavItem id={EVIDENCE_NAV} />}>
        <Route path="/evidence" element={page(<EvidenceItems />)} />
        <Route path="/evidence/upload" element={page(<UploadFootage />)} />
        <Route path="/evidence/worklist" element={page(<Worklist />)} />
        <Route path="/evidence/items/:id" element={page(<ItemPage />)} />
        <Route path="/evidence/items/:id/custody" element={page(<Custody />)} />
      </Route>
      <Route element={<RequireNavItem id={EVIDENCE_ADMIN_NAV} />}>
        <Route path="/evidence/categories" element={page(<CategoriesAdmin />)} />
      </Route>
    </>
  );
}

/** The share recipient's page: no account, so outside <RequireSession>. */
export function evidencePublicRoutes() {
  return <Route path="/shared/:token" element={page(<SharedEvidence />)} />;
}
