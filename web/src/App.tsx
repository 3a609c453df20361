import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { AuditLog } from './audit/AuditLog.tsx';
import { Account } from './auth/Account.tsx';
import { ChangePassword } from './auth/ChangePassword.tsx';
import { SignIn } from './auth/SignIn.tsx';
import { TotpSetup } from './auth/TotpSetup.tsx';
import { RequireNavItem, RequireSession } from './shell/guards.tsx';
import { Loading } from './shell/Loading.tsx';
import { Home } from './shell/Home.tsx';
import { Layout } from './shell/Layout.tsx';
import { NotFound } from './shell/NotFound.tsx';
import { RequireAreaSafetyRole } from './reports/guards.tsx';
import { evidencePublicRoutes, evidenceRoutes } from './evidence/routes.tsx';
import { AddUser } from './users/AddUser.tsx';
import { ManageUser } from './users/ManageUser.tsx';
import { Users } from './users/Users.tsx';

// The map brings MapLibre and Chart.js; only the pages that use them load them.
const CrimeMap = lazy(() => import('./crime/CrimeMap.tsx'));
const ReportForm = lazy(() => import('./reports/ReportForm.tsx'));
const ReportSent = lazy(() => import('./reports/ReportSent.tsx'));
const ReportStatusPage = lazy(() => import('./reports/ReportStatusPage.tsx'));
const ControlRoom = lazy(() => import('./reports/ControlRoom.tsx'));
const AreaSafetyPage = lazy(() => import('./reports/AreaSafetyPage.tsx'));
const HeldReports = lazy(() => import('./reports/HeldReports.tsx'));
const ReportSettings = lazy(() => import('./reports/ReportSettings.tsx'));
const Briefing = lazy(() => import('./forecast/Briefing.tsx'));

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/report" element={<Suspense fallback={<Loading what="Loading the report form" />}><ReportForm /></Suspense>} />
        <Route path="/report/sent/:key" element={<Suspense fallback={<Loading />}><ReportSent /></Suspense>} />
        <Route path="/report/status/:token" element={<Suspense fallback={<Loading what="Loading your report" />}><ReportStatusPage /></Suspense>} />
        <Route path="/area-safety" element={<Suspense fallback={<Loading />}><AreaSafetyPage audience="public" /></Suspense>} />
        {evidencePublicRoutes()}
        <Route element={<RequireSession />}>
          <Route index element={<Home />} />
          <Route path="/account" element={<Account />} />
          <Route path="/account/password" element={<ChangePassword />} />
          <Route path="/account/totp" element={<TotpSetup />} />
          <Route element={<RequireNavItem id="audit" />}>
            <Route path="/audit" element={<AuditLog />} />
          </Route>
          <Route element={<RequireNavItem id="crime" />}>
            <Route path="/crime" element={<Suspense fallback={<Loading what="Loading the crime map" />}><CrimeMap /></Suspense>} />
            <Route path="/forecast/briefing" element={<Suspense fallback={<Loading what="Loading the briefing sheet" />}><Briefing /></Suspense>} />
          </Route>
          <Route element={<RequireNavItem id="control-room" />}>
            <Route path="/control-room" element={<Suspense fallback={<Loading what="Loading the control room" />}><ControlRoom /></Suspense>} />
            <Route path="/control-room/held" element={<Suspense fallback={<Loading />}><HeldReports /></Suspense>} />
          </Route>
          <Route element={<RequireNavItem id="report-sources" />}>
            <Route path="/reports/settings" element={<Suspense fallback={<Loading />}><ReportSettings /></Suspense>} />
          </Route>
          <Route element={<RequireAreaSafetyRole />}>
            <Route path="/control-room/area-safety" element={<Suspense fallback={<Loading />}><AreaSafetyPage audience="staff" /></Suspense>} />
          </Route>
          {evidenceRoutes()}
          <Route element={<RequireNavItem id="users" />}>
            <Route path="/users" element={<Users />} />
            <Route path="/users/new" element={<AddUser />} />
            <Route path="/users/:id" element={<ManageUser />} />
          </Route>
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
