import { Link } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { formatDate, formatDateTime } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
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
            <table className="govuk-table peel-responsive-table" data-testid="evidence-worklist">
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">Footage</th>
                  <th scope="col" className="govuk-table__header">Officer</th>
                  <th scope="col" className="govuk-table__header">Recorded</th>
                  <th scope="col" className="govuk-table__header">Deleted on</th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">Days left</th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {items.map((item) => (
                  <tr className="govuk-table__row" key={item.id}>
                    <td className="govuk-table__cell peel-break" data-label="Footage">
                      <Link className="govuk-link" to={`/evidence/items/${item.id}`}>
                        {itemName(item)}
                      </Link>
                    </td>
                    <td className="govuk-table__cell" data-label="Officer">
                      {item.officer ?? 'Not known'}
                    </td>
                    <td className="govuk-table__cell" data-label="Recorded">
                      {formatDateTime(item.recordedStart, 'Not known')}
                    </td>
                    <td className="govuk-table__cell" data-label="Deleted on">
                      {formatDate(item.deleteOn, 'Not set')}
                    </td>
                    <td className="govuk-table__cell govuk-table__cell--numeric" data-label="Days left">
                      {item.daysLeft === null ? (
                        '–'
                      ) : (
                        <strong className={`govuk-tag ${item.daysLeft <= 7 ? 'govuk-tag--red' : 'govuk-tag--yellow'}`}>
                          {item.daysLeft <= 0 ? 'Due now' : `${item.daysLeft} ${item.daysLeft === 1 ? 'day' : 'days'}`}
                        </strong>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
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
              <table className="govuk-table peel-responsive-table" data-testid="evidence-figures">
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    <th scope="col" className="govuk-table__header">Team</th>
                    <th scope="col" className="govuk-table__header govuk-table__header--numeric">Items</th>
                    <th scope="col" className="govuk-table__header govuk-table__header--numeric">Categorised</th>
                    <th scope="col" className="govuk-table__header govuk-table__header--numeric">Rate</th>
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {figures.data.teams.map((team) => (
                    <tr className="govuk-table__row" key={team.team ?? '(none)'}>
                      <th scope="row" className="govuk-table__header" data-label="Team">
                        {team.team ?? 'No team'}
                      </th>
                      <td className="govuk-table__cell govuk-table__cell--numeric" data-label="Items">
                        {team.items.toLocaleString('en-GB')}
                      </td>
                      <td className="govuk-table__cell govuk-table__cell--numeric" data-label="Categorised">
                        {team.categorised.toLocaleString('en-GB')}
                      </td>
                      <td className="govuk-table__cell govuk-table__cell--numeric" data-label="Rate">
                        {team.rate === null ? '–' : `${Math.round(team.rate * 100)}%`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
        </>
      )}
    </>
  );
}
