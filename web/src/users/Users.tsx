import { Link } from 'react-router-dom';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { FlashNotice } from '../shell/FlashNotice.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
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
    <ResponsiveTable
      caption={`${users.length} ${users.length === 1 ? 'user' : 'users'}`}
      captionClass="govuk-table__caption--m"
      columns={['Username', 'Name', 'Role', 'Status', 'Two-factor', 'Last sign-in', 'Signs in with', { text: 'Actions', hidden: true }]}
    >
      {users.map((user) => (
        <tr key={user.id} className="govuk-table__row">
          <Cell header label="Username" className="peel-break">{user.username}</Cell>
          <Cell label="Name">{user.displayName}</Cell>
          <Cell label="Role">{roleLabel(roles, user.role)}</Cell>
          <Cell label="Status"><StatusTag user={user} /></Cell>
          <Cell label="Two-factor">{user.totpEnabled ? 'On' : 'Off'}</Cell>
          <Cell label="Last sign-in">{formatDateTime(user.lastLoginAt)}</Cell>
          <Cell label="Signs in with">{user.sso ? 'SSO' : 'Local'}</Cell>
          <Cell>
            <Link to={`/users/${user.id}`} className="govuk-link">
              Manage<span className="govuk-visually-hidden"> {user.username}</span>
            </Link>
          </Cell>
        </tr>
      ))}
    </ResponsiveTable>
  );
}
