import { Link } from 'react-router-dom';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { FlashNotice } from '../shell/FlashNotice.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { TwoFactorPolicy } from './TwoFactorPolicy.tsx';
import { StatusTag, roleLabel, useRoles, useUsers, type ManagedUser, type RolePolicy } from './data.tsx';

export function Users() {
  const { users, error } = useUsers();
  const { roles, error: rolesError, setRoles } = useRoles();
  const summary = useErrorList(error);
  usePageTitle('Users', error !== null);

  return (
    <>
      <FlashNotice />
      <ErrorSummary errors={summary} />
      <h1 className="govuk-heading-l">Users</h1>
      <Link to="/users/new" className="govuk-button" draggable={false}>
        Add a user
      </Link>
      {users === null ? (
        !error && <Loading what="Loading users" />
      ) : (
        <ScrollRegion label="Users">
          <UserTable users={users} roles={roles} />
        </ScrollRegion>
      )}
      <TwoFactorPolicy roles={roles} loadError={rolesError} onSaved={setRoles} />
    </>
  );
}

function UserTable({ users, roles }: { users: ManagedUser[]; roles: RolePolicy[] | null }) {
  return (
    <table className="govuk-table peel-responsive-table">
      <caption className="govuk-table__caption govuk-table__caption--m">
        {users.length} {users.length === 1 ? 'user' : 'users'}
      </caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">Username</th>
          <th scope="col" className="govuk-table__header">Name</th>
          <th scope="col" className="govuk-table__header">Role</th>
          <th scope="col" className="govuk-table__header">Status</th>
          <th scope="col" className="govuk-table__header">Two-factor</th>
          <th scope="col" className="govuk-table__header">Last sign-in</th>
          <th scope="col" className="govuk-table__header">Signs in with</th>
          <th scope="col" className="govuk-table__header"><span className="govuk-visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {users.map((user) => (
          <tr key={user.id} className="govuk-table__row">
            <th scope="row" className="govuk-table__header peel-break" data-label="Username">{user.username}</th>
            <td className="govuk-table__cell" data-label="Name">{user.displayName}</td>
            <td className="govuk-table__cell" data-label="Role">{roleLabel(roles, user.role)}</td>
            <td className="govuk-table__cell" data-label="Status"><StatusTag user={user} /></td>
            <td className="govuk-table__cell" data-label="Two-factor">{user.totpEnabled ? 'On' : 'Off'}</td>
            <td className="govuk-table__cell" data-label="Last sign-in">{formatDateTime(user.lastLoginAt)}</td>
            <td className="govuk-table__cell" data-label="Signs in with">{user.sso ? 'SSO' : 'Local'}</td>
            <td className="govuk-table__cell">
              <Link to={`/users/${user.id}`} className="govuk-link">
                Manage<span className="govuk-visually-hidden"> {user.username}</span>
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
