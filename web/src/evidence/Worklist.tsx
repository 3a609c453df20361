import { Link } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { formatDate, formatDateTime } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { useApi } from './data.ts';
import { MANAGE_ROLES, itemName, type TeamFigure, type WorklistEntry } from './types.ts';

/** Uncategorised footage, soonest deletion first; supervisors also see each team's categorisation rate. */
export default function Worklist() {
  const { user } = useSignedIn();
  const manage = MANAGE_ROLES.includes(user.role);
  const worklist = useApi<{ items: WorklistEntry[] }>('/api/evidence/worklist');
  const figures = useApi<{ teams: TeamFigure[] }>(manage ? '/api/evidence/figures' : null);
  const errors = useErrorList(worklist.error ?? figures.error);
  usePageTitle('Footage to categorise', errors.length > 0);
  const items = worklist.data?.items ?? null;
  const scope = user.role === 'evidence_officer' ? 'everyone’s' : user.role === 'supervisor' ? 'your team’s and your own' : 'your';

  return (
    <>
      <ErrorSummary errors={errors} />
      <span className="govuk-caption-l">Evidence</span>
      <h1 className="govuk-heading-l">Footage to categorise</h1>
      <p className="govuk-body">
        This is {scope} footage with no category. Unless someone categorises it, it is deleted 31 days after it was recorded. Mark it as
        evidential, or with the mandated category (stop and search, domestic abuse, use of force, vehicle stop), to keep it.
      </p>

      {items === null ? (
        worklist.loading && <Loading what="Loading your worklist" />
      ) : items.length === 0 ? (
        <div className="govuk-inset-text" role="status">
          Nothing to categorise. All {user.role === 'officer' ? 'your' : 'this'} footage has a category.
        </div>
      ) : (
        <>
          <p className="govuk-body" role="status">
            {items.length.toLocaleString('en-GB')} {items.length === 1 ? 'item needs' : 'items need'} a category.
          </p>
          <ScrollRegion label="Footage to categorise">
            <ResponsiveTable data-testid="evidence-worklist" columns={['Footage', 'Officer', 'Recorded', 'Deleted on', { text: 'Days left', numeric: true }]}>
              {items.map((item) => (
                <tr className="govuk-table__row" key={item.id}>
                  <Cell label="Footage" className="peel-break">
                    <Link className="govuk-link" to={`/evidence/items/${item.id}`}>
                      {itemName(item)}
                    </Link>
                  </Cell>
                  <Cell label="Officer">{item.officer ?? 'Not known'}</Cell>
                  <Cell label="Recorded">{formatDateTime(item.recordedStart, 'Not known')}</Cell>
                  <Cell label="Deleted on">{formatDate(item.deleteOn, 'Not set')}</Cell>
                  <Cell label="Days left" numeric>
                    {item.daysLeft === null ? (
                      '–'
                    ) : (
                      <strong className={`govuk-tag ${item.daysLeft <= 7 ? 'govuk-tag--red' : 'govuk-tag--yellow'}`}>
                        {item.daysLeft <= 0 ? 'Due now' : `${item.daysLeft} ${item.daysLeft === 1 ? 'day' : 'days'}`}
                      </strong>
                    )}
                  </Cell>
                </tr>
              ))}
            </ResponsiveTable>
          </ScrollRegion>
        </>
      )}

      {manage && (
        <>
          <h2 className="govuk-heading-m">Categorisation by team</h2>
          {figures.data === null ? (
            figures.loading && <Loading what="Loading the team figures" />
          ) : figures.data.teams.length === 0 ? (
            <p className="govuk-body">No teams have footage yet.</p>
          ) : (
            <ScrollRegion label="Categorisation by team">
              <ResponsiveTable data-testid="evidence-figures" columns={['Team', { text: 'Items', numeric: true }, { text: 'Categorised', numeric: true }, { text: 'Rate', numeric: true }]}>
                {figures.data.teams.map((team) => (
                  <tr className="govuk-table__row" key={team.team ?? '(none)'}>
                    <Cell header label="Team">{team.team ?? 'No team'}</Cell>
                    <Cell label="Items" numeric>{team.items.toLocaleString('en-GB')}</Cell>
                    <Cell label="Categorised" numeric>{team.categorised.toLocaleString('en-GB')}</Cell>
                    <Cell label="Rate" numeric>{team.rate === null ? '–' : `${Math.round(team.rate * 100)}%`}</Cell>
                  </tr>
                ))}
              </ResponsiveTable>
            </ScrollRegion>
          )}
        </>
      )}
    </>
  );
}
