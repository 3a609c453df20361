import type { ReactNode } from 'react';
import { ROLE_LABELS, type Role } from '../../../src/platform/roles.ts';
import { formatDate, formatTimeSeconds } from '../format.ts';
import type { AuditEntry } from './types.ts';

/** How many record IDs to list in a row before summing up the rest. */
const IDS_SHOWN = 5;

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table className="govuk-table peel-responsive-table peel-audit-table">
      <caption className="govuk-table__caption govuk-table__caption--m">Entries, newest first</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">No.</th>
          <th scope="col" className="govuk-table__header">Time (UTC)</th>
          <th scope="col" className="govuk-table__header">User and role</th>
          <th scope="col" className="govuk-table__header">Operation and action</th>
          <th scope="col" className="govuk-table__header">Records</th>
          <th scope="col" className="govuk-table__header">Reason</th>
          <th scope="col" className="govuk-table__header">Client address</th>
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {entries.map((entry) => (
          <tr key={entry.seq} className="govuk-table__row">
            <td className="govuk-table__cell" data-label="No.">{entry.seq}</td>
            <td className="govuk-table__cell" data-label="Time (UTC)">
              <time dateTime={entry.at}>
                <span className="peel-nowrap">{formatDate(entry.at)}</span>{' '}
                <span className="peel-nowrap">{formatTimeSeconds(entry.at)}</span>
              </time>
            </td>
            <td className="govuk-table__cell" data-label="User and role">
              {entry.username ?? 'System'}
              <span className="peel-secondary">{roleLabel(entry.role)}</span>
            </td>
            <td className="govuk-table__cell" data-label="Operation and action">
              {capitalise(entry.operation)}
              <span className="peel-secondary">
                <code>{breakable(entry.action)}</code>
              </span>
            </td>
            <td className="govuk-table__cell peel-break" data-label="Records"><Records entry={entry} /></td>
            <td className="govuk-table__cell" data-label="Reason"><Reason entry={entry} /></td>
            <td className="govuk-table__cell peel-break" data-label="Client address">{entry.clientIp ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Records({ entry }: { entry: AuditEntry }) {
  if (!entry.recordType && entry.recordIds.length === 0) return null;
  const shown = entry.recordIds.slice(0, IDS_SHOWN);
  const more = entry.recordIds.length - shown.length;
  return (
    <>
      {entry.recordType}
      {shown.length > 0 && (
        <>
          {entry.recordType ? ': ' : ''}
          {shown.join(', ')}
          {more > 0 && ` and ${more} more`}
        </>
      )}
    </>
  );
}

function Reason({ entry }: { entry: AuditEntry }) {
  if (!entry.reasonCode) return <>{entry.justification ?? ''}</>;
  return (
    <>
      <strong>{entry.reasonCode}</strong>
      {entry.justification ? `: ${entry.justification}` : ''}
    </>
  );
}

function roleLabel(role: string | null): string {
  if (!role) return '';
  return role in ROLE_LABELS ? ROLE_LABELS[role as Role] : role;
}

/** Lets long names such as "roles.set_totp_required" wrap after a dot, not mid-word. */
function breakable(name: string): ReactNode[] {
  return name.split(/(?<=\.)/).flatMap((part, index) => (index === 0 ? [part] : [<wbr key={index} />, part]));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
