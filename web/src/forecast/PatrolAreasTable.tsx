import type { ReactNode } from 'react';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import type { PatrolReply } from './types.ts';
import { percent, periods } from './words.ts';

/** The patrol areas, a row each: squares, expected share, recent crimes, and on the briefing sheet the centre. */
export function PatrolAreasTable({ plan, caption, withCentre = false, className = '', testId }: { plan: PatrolReply; caption?: ReactNode; withCentre?: boolean; className?: string; testId?: string }) {
  return (
    <ScrollRegion label={caption ? 'The areas' : 'Patrol areas'}>
      <table className={`govuk-table ${className}`} data-testid={testId}>
        {caption && <caption className="govuk-table__caption govuk-table__caption--m">{caption}</caption>}
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">Area</th>
            <th scope="col" className="govuk-table__header govuk-table__header--numeric">Squares of {plan.cellSize} m</th>
            <th scope="col" className="govuk-table__header govuk-table__header--numeric">Expected share</th>
            <th scope="col" className="govuk-table__header govuk-table__header--numeric">Crimes in the last {periods(plan.window.by, plan.window.trainPeriods)}</th>
            {withCentre && <th scope="col" className="govuk-table__header">Centre (latitude, longitude)</th>}
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {plan.features.map((f) => (
            <tr className="govuk-table__row" key={f.properties.area}>
              <th scope="row" className="govuk-table__header">{f.properties.area}</th>
              <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.cells.length}</td>
              <td className="govuk-table__cell govuk-table__cell--numeric">{percent(f.properties.share)}</td>
              <td className="govuk-table__cell govuk-table__cell--numeric">{f.properties.recentCrimes.toLocaleString('en-GB')}</td>
              {withCentre && (
                <td className="govuk-table__cell">
                  {f.properties.centre[1]!.toFixed(5)}, {f.properties.centre[0]!.toFixed(5)}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
