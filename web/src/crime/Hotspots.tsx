import { memo } from 'react';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { shortMonthLabel } from './query.ts';
import type { Hotspot, HotspotReply, Period } from './types.ts';

/** |z| at or above this is a change that chance alone would give less than 1 time in 20. */
export const Z_SIGNIFICANT = 1.96;
/** …and less than 1 time in 100. */
export const Z_HIGHLY = 2.58;

export function significance(z: number): { text: string; tone: 'rise' | 'fall' | 'none' } {
  if (!Number.isFinite(z)) return { text: 'Not enough data to compare', tone: 'none' };
  const size = Math.abs(z);
  if (size < Z_SIGNIFICANT) return { text: 'No significant change', tone: 'none' };
  const strength = size >= Z_HIGHLY ? 'Highly significant' : 'Significant';
  return z > 0 ? { text: `${strength} rise`, tone: 'rise' } : { text: `${strength} fall`, tone: 'fall' };
}

export function periodLabel(period: Period): string {
  return period.from === period.to ? shortMonthLabel(period.from) : `${shortMonthLabel(period.from)} to ${shortMonthLabel(period.to)}`;
}

const pct = (x: number) => `${(x * 100).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%`;

/** "+12 (+15%)", "−3 (−20%)", "+4 (none before)" */
export function changeText(spot: Hotspot): string {
  const sign = spot.change > 0 ? '+' : spot.change < 0 ? '−' : '';
  const abs = Math.abs(spot.change).toLocaleString('en-GB');
  if (spot.percentChange === null) return spot.count > 0 ? `${sign}${abs} (none before)` : '0';
  return `${sign}${abs} (${sign}${Math.abs(Math.round(spot.percentChange)).toLocaleString('en-GB')}%)`;
}

/**
 * The ten hexagons with most crime. It is also the map's text alternative: each row
 * names the cell and has a button that zooms the map to it and opens its panel.
 */
export const Hotspots = memo(function Hotspots({
  reply,
  firstMonth,
  selected,
  onChoose,
}: {
  reply: HotspotReply;
  /** the first month with data: a previous period before it cannot be compared with */
  firstMonth: string | null;
  selected: string | null;
  onChoose: (cell: string, button: HTMLButtonElement) => void;
}) {
  const { cells: hotspots, previousPeriod: previous } = reply;
  if (hotspots.length === 0) return <p className="govuk-body">No crimes match these filters.</p>;
  const comparable = !firstMonth || previous.from >= firstMonth;
  return (
    <>
      <p className="govuk-body-s">
        The {hotspots.length === 1 ? 'hexagon' : `${hotspots.length} hexagons`} with most crime, {periodLabel(reply.period)}.{' '}
        {comparable ? (
          <>
            Change is against {periodLabel(previous)}, the period of the same length before. A z-score beyond ±{Z_SIGNIFICANT} means
            a change that large would happen by chance less than 1 time in 20.
          </>
        ) : (
          <>There is no data for {periodLabel(previous)}, the period of the same length before, so the change cannot be judged.</>
        )}
      </p>
      <ScrollRegion label="Hotspots table">
        <ResponsiveTable
          className="peel-compact-table peel-hotspot-table"
          caption="Hotspots: the hexagons with most crime"
          captionClass="govuk-visually-hidden"
          columns={['Hexagon', { text: 'Crimes', numeric: true }, { text: 'Share', numeric: true }, { text: 'Change', numeric: true }, 'Significance']}
        >
          {hotspots.map((spot, index) => {
            const sig = comparable ? significance(spot.z) : { text: 'Cannot compare', tone: 'none' as const };
            return (
              <tr
                key={spot.cell}
                className={`govuk-table__row peel-hotspot-row${spot.cell === selected ? ' peel-hotspot-row--selected' : ''}`}
                onClick={(event) => {
                  const button = event.currentTarget.querySelector('button');
                  if (button && event.target !== button) onChoose(spot.cell, button);
                }}
              >
                <Cell header label="Hexagon">
                  <button
                    type="button"
                    className="peel-link-button govuk-link peel-hotspot-button"
                    aria-pressed={spot.cell === selected}
                    onClick={(event) => onChoose(spot.cell, event.currentTarget)}
                  >
                    <span className="govuk-visually-hidden">Hotspot </span>
                    {index + 1}
                  </button>
                  <span className="peel-cell-id">{spot.cell}</span>
                </Cell>
                <Cell numeric label="Crimes">{spot.count.toLocaleString('en-GB')}</Cell>
                <Cell numeric label="Share">{pct(spot.share)}</Cell>
                <Cell numeric label="Change" className="peel-nowrap">{comparable ? changeText(spot) : '–'}</Cell>
                <Cell label="Significance">
                  <span className={`peel-significance peel-significance--${sig.tone}`}>{sig.text}</span>
                  {comparable && Number.isFinite(spot.z) && (
                    <span className="peel-secondary-line">
                      z = {spot.z.toLocaleString('en-GB', { maximumFractionDigits: 2, minimumFractionDigits: 1 })}
                    </span>
                  )}
                </Cell>
              </tr>
            );
          })}
        </ResponsiveTable>
      </ScrollRegion>
    </>
  );
});
