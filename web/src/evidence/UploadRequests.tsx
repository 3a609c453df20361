import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { formatDateTime, isPast } from '../format.ts';
import { ErrorSummary, TextInput, apiErrors, errorFor, useErrorList, useForm, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { Loading } from '../shell/Loading.tsx';
import { ScrollRegion } from '../shell/ScrollRegion.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { useApi } from './data.ts';
import { LinkShownOnce, absolute } from './LinkShownOnce.tsx';
import type { UploadRequest as Reply } from '../../../src/modules/evidence/replies.ts';

type UploadRequest = Reply & { url?: string };

interface Fields {
  incidentRef: string;
  description: string;
  expiresInDays: string;
  maxFiles: string;
}

const DEFAULTS: Fields = { incidentRef: '', description: '', expiresInDays: '14', maxFiles: '10' };

function validate(fields: Fields): FormError[] {
  const errors: FormError[] = [];
  if (!fields.incidentRef.trim()) errors.push({ field: 'request-incident', message: 'Enter the incident reference' });
  const days = Number(fields.expiresInDays);
  if (!/^\d+$/.test(fields.expiresInDays.trim()) || days < 1 || days > 90) errors.push({ field: 'request-days', message: 'Enter how many days the link stays open, from 1 to 90' });
  const files = Number(fields.maxFiles);
  if (!/^\d+$/.test(fields.maxFiles.trim()) || files < 1 || files > 100) errors.push({ field: 'request-files', message: 'Enter how many files may be sent, from 1 to 100' });
  return errors;
}

/** Links for members of the public and businesses to send CCTV for an incident, with no account. */
export default function UploadRequests() {
  const requests = useApi<{ requests: UploadRequest[] }>('/api/evidence/upload-requests');
  const { fields, setFields, set, errors, setErrors, busy, send } = useForm<Fields>(DEFAULTS);
  const [created, setCreated] = useState<UploadRequest | null>(null);
  const summary = useErrorList(requests.error, errors);
  usePageTitle('Ask the public for footage', summary.length > 0);

  async function create(event: FormEvent) {
    event.preventDefault();
    await send(validate(fields), async () => {
      const request = await api<UploadRequest>('/api/evidence/upload-requests', {
        method: 'POST',
        body: {
          incidentRef: fields.incidentRef.trim(),
          ...(fields.description.trim() ? { description: fields.description.trim() } : {}),
          expiresInDays: Number(fields.expiresInDays),
          maxFiles: Number(fields.maxFiles),
        },
      });
      setCreated(request);
      setFields(DEFAULTS);
      requests.reload();
    });
  }

  async function withdraw(request: UploadRequest) {
    try {
      await api(`/api/evidence/upload-requests/${request.id}`, { method: 'DELETE' });
      setErrors([]);
      requests.reload();
    } catch (error) {
      setErrors(apiErrors(error));
    }
  }

  return (
    <>
      <ErrorSummary errors={summary} />
      <Link className="govuk-back-link" to="/evidence">
        Evidence
      </Link>
      <span className="govuk-caption-l">Evidence</span>
      <h1 className="govuk-heading-l">Ask the public for footage</h1>
      <p className="govuk-body">
        Make a link for a witness, a shop or a business to send CCTV or phone footage for one incident, without an account. What they send
        arrives as evidence for the incident, on your worklist.
      </p>

      {created?.url && (
        <LinkShownOnce
          headingId="request-created-heading"
          heading="Upload link created"
          intro="Copy it now and send it to them: it will not be shown again."
          url={absolute(created.url)}
          testId="upload-request-url"
        >
          <p className="peel-panel-text govuk-body">
            For incident {created.incidentRef}, until {formatDateTime(created.expiresAt)}, up to {created.maxFiles} files.
          </p>
        </LinkShownOnce>
      )}

      <form onSubmit={create} noValidate className="peel-evidence-section">
        <h2 className="govuk-heading-m">New upload link</h2>
        <TextInput id="request-incident" label="Incident reference" value={fields.incidentRef} onChange={set('incidentRef')} error={errorFor(errors, 'request-incident')} width="20" autoComplete="off" />
        <TextInput
          id="request-description"
          label="What footage do you want? (optional)"
          hint="They will see this, for example: the camera over the shop door, 14:00 to 15:00 on 3 May"
          value={fields.description}
          onChange={set('description')}
          autoComplete="off"
        />
        <TextInput id="request-days" label="Days the link stays open" value={fields.expiresInDays} onChange={set('expiresInDays')} error={errorFor(errors, 'request-days')} inputMode="numeric" width="3" />
        <TextInput id="request-files" label="Most files they may send" value={fields.maxFiles} onChange={set('maxFiles')} error={errorFor(errors, 'request-files')} inputMode="numeric" width="3" />
        <button type="submit" className="govuk-button" disabled={busy}>
          Create upload link
        </button>
      </form>

      <h2 className="govuk-heading-m">Upload links</h2>
      {!requests.data ? (
        requests.loading && <Loading what="Loading the upload links" />
      ) : requests.data.requests.length === 0 ? (
        <p className="govuk-body">No upload links yet.</p>
      ) : (
        <ScrollRegion label="Upload links">
          <ResponsiveTable data-testid="upload-requests" columns={['Incident', 'Files received', 'Open until', 'Status', { text: 'Action', hidden: true }]}>
            {requests.data.requests.map((request) => {
              const open = !request.revokedAt && !isPast(request.expiresAt) && request.filesReceived < request.maxFiles;
              return (
                <tr className="govuk-table__row" key={request.id}>
                  <Cell label="Incident" className="peel-break">
                    {request.incidentRef}
                    {request.description && <span className="govuk-body-s peel-block">{request.description}</span>}
                    <span className="govuk-body-s peel-block">
                      by {request.createdBy ?? 'unknown'} on {formatDateTime(request.createdAt)}
                    </span>
                  </Cell>
                  <Cell label="Files received">{request.filesReceived} of {request.maxFiles}</Cell>
                  <Cell label="Open until">{formatDateTime(request.expiresAt)}</Cell>
                  <Cell label="Status">
                    <strong className={`govuk-tag ${open ? 'govuk-tag--green' : 'govuk-tag--grey'}`}>{request.revokedAt ? 'Withdrawn' : open ? 'Open' : 'Closed'}</strong>
                  </Cell>
                  <Cell>
                    {open && (
                      <button type="button" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" onClick={() => void withdraw(request)}>
                        Withdraw<span className="govuk-visually-hidden"> the link for {request.incidentRef}</span>
                      </button>
                    )}
                  </Cell>
                </tr>
              );
            })}
          </ResponsiveTable>
        </ScrollRegion>
      )}
    </>
  );
}
