import { memo, useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { shortMonthLabel } from './query.ts';
import type { MonthCount } from './types.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const FONT = 'arial, sans-serif';

/**
 * Crimes by month as a bar chart, with the same figures in a table for those who
 * cannot see the chart. The chart is made once and updated in place.
 */
export const TimeChart = memo(function TimeChart({ series, label, id, small = false }: { series: MonthCount[]; label: string; id: string; small?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar', number[], string> | null>(null);
  const seriesRef = useRef(series);
  seriesRef.current = series;

  useEffect(() => {
    if (!canvas.current) return;
    const instance = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: seriesRef.current.map((point) => shortMonthLabel(point.month)),
        datasets: [{ label, data: seriesRef.current.map((point) => point.count), backgroundColor: '#1d70b8', hoverBackgroundColor: '#003078' }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // No animation: it would compete with the map for the main thread, and moves for no reason.
        animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${Number(item.raw).toLocaleString('en-GB')} crimes` } } },
        scales: {
          x: { grid: { display: false }, ticks: { font: { family: FONT, size: 12 }, color: '#0b0c0c', maxRotation: 0, autoSkipPadding: 8 } },
          y: { beginAtZero: true, ticks: { font: { family: FONT, size: 12 }, color: '#0b0c0c', precision: 0 }, grid: { color: '#e5e5e5' } },
        },
      },
    });
    chart.current = instance;
    return () => {
      instance.destroy();
      chart.current = null;
    };
  }, [label]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    instance.data.labels = series.map((point) => shortMonthLabel(point.month));
    instance.data.datasets[0]!.data = series.map((point) => point.count);
    instance.update();
  }, [series]);

  const total = series.reduce((sum, point) => sum + point.count, 0);
  const peak = series.reduce<MonthCount | null>((best, point) => (!best || point.count > best.count ? point : best), null);
  const description = peak
    ? `Bar chart of ${label.toLowerCase()}: ${total.toLocaleString('en-GB')} in all, most in ${shortMonthLabel(peak.month)} (${peak.count.toLocaleString('en-GB')}). The figures are in the table that follows.`
    : `Bar chart of ${label.toLowerCase()}: no crimes match.`;

  return (
    <div className="peel-chart">
      <div className={`peel-chart__canvas${small ? ' peel-chart__canvas--small' : ''}`}>
        <canvas ref={canvas} role="img" aria-label={description} id={id} />
      </div>
      <details className="govuk-details govuk-!-margin-bottom-4">
        <summary className="govuk-details__summary">
          <span className="govuk-details__summary-text">{label} as a table</span>
        </summary>
        <div className="govuk-details__text">
          <table className="govuk-table peel-compact-table">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">Month</th>
                <th scope="col" className="govuk-table__header govuk-table__header--numeric">Crimes</th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {series.map((point) => (
                <tr className="govuk-table__row" key={point.month}>
                  <th scope="row" className="govuk-table__header">{shortMonthLabel(point.month)}</th>
                  <td className="govuk-table__cell govuk-table__cell--numeric">{point.count.toLocaleString('en-GB')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
});
