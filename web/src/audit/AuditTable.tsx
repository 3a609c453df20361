import type { ReactNode } from 'react';
import { ROLE_LABELS, type Role } from '../../../src/platform/roles.ts';
import { formatDate, formatTimeSeconds } from '../format.ts';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import type { AuditEntry } from './types.ts';

/** How many record IDs to list in a row before summing up the rest. */
const IDS_SHOWN = 5;

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <ResponsiveTable
      className="peel-audit-table"
      caption="Entries, newest first"
      captionClass="govuk-table__caption--m"
      columns={['No.', 'Time (UTC)', 'User and role', 'Operation and action', 'Records', 'Reason', 'Client address']}
    >
      {entries.map((entry) => (
        <tr key={entry.seq} className="govuk-table__row">
          <Cell label="No.">{entry.seq}</Cell>
          <Cell label="Time (UTC)">
            <time dateTime={entry.at}>
              <span className="peel-nowrap">{formatDate(entry.at)}</span>{' '}
              <span className="peel-nowrap">{formatTimeSeconds(entry.at)}</span>
            </time>
          </Cell>
          <Cell label="User and role">
            {entry.username ?? 'System'}
            <span className="peel-secondary">{roleLabel(entry.role)}</span>
          </Cell>
          <Cell label="Operation and action">
            {capitalise(entry.operation)}
            <span className="peel-secondary">
              <code>{breakable(entry.action)}</code>
            </span>
          </Cell>
          <Cell label="Records" className="peel-break"><Records entry={entry} /></Cell>
          <Cell label="Reason"><Reason entry={entry} /></Cell>
          <Cell label="Client address" className="peel-break">{entry.clientIp ?? ''}</Cell>
        </tr>
      ))}
    </ResponsiveTable>
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
