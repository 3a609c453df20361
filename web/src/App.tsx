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
import { evidencePublicRoutes, evidenceRoutes } from './evidence/routes.tsx';
import { AddUser } from './users/AddUser.tsx';
import { ManageUser } from './users/ManageUser.tsx';
import { Users } from './users/Users.tsx';

// The map brings MapLibre and Chart.js; only the pages that use them load them.
const CrimeMap = lazy(() => import('./crime/CrimeMap.tsx'));

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-in" element={<SignIn />} />
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
