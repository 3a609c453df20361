import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, api, messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, errorFor, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { FootageUpload } from './tus.ts';
import { formatBytes } from './types.ts';
import { FilesDropZone, FilesTable, useUploadRows } from './UploadFootage.tsx';

interface UploadLink {
  incidentRef: string;
  description: string | null;
  maxBytes: number;
  filesLeft: number;
  expiresAt: string;
  accepts: string[];
}

/**
 * The page a member of the public or a business opens from an upload request link to send
 * footage for one incident, with no account. The files go up over tus like staff uploads.
 */
export default function SendFootage() {
  const { token = '' } = useParams();
  const endpoint = `/api/evidence/public-uploads/${encodeURIComponent(token)}`;
  const [link, setLink] = useState<UploadLink | null>(null);
  const [gone, setGone] = useState<string | null>(null);
  const { rows, setRows, uploads, update, add } = useUploadRows('p');
  const [errors, setErrors] = useState<FormError[]>([]);
  const input = useRef<HTMLInputElement>(null);
  usePageTitle('Send footage to the police', errors.length > 0);

  useEffect(() => {
    api<UploadLink>(endpoint, { signedOutIsFine: true }).then(setLink, (error: unknown) => {
      setGone(
        error instanceof ApiError && error.status === 404
          ? 'This link is not right. Check that you copied all of it.'
          : error instanceof ApiError && error.status === 410
            ? 'This link has expired, been withdrawn or taken all the files it allows.'
            : messageOf(error),
      );
    });
  }, [endpoint]);

  // One file at a time: a shop's or a home's connection is often slow.
  useEffect(() => {
    if (rows.some((row) => ['uploading', 'retrying', 'finishing'].includes(row.state.status))) return;
    const next = rows.find((row) => row.queued && row.state.status === 'waiting');
    const upload = next && uploads.current.get(next.key);
    if (upload && upload.current.status === 'waiting') void upload.start();
  }, [rows, uploads]);

  function addFiles(list: FileList | null) {
    if (!list) return;
    add(list);
    setErrors([]);
    if (input.current) input.current.value = '';
  }

  function send(event: FormEvent) {
    event.preventDefault();
    if (!link) return;
    const chosen = rows.filter((row) => !row.queued);
    const problems: FormError[] = [];
    if (chosen.length === 0) problems.push({ field: 'send-files', message: 'Choose the footage to send' });
    const already = rows.filter((row) => row.queued && row.state.status !== 'failed').length;
    if (already + chosen.length > link.filesLeft) problems.push({ field: 'send-files', message: `You can send ${link.filesLeft} ${link.filesLeft === 1 ? 'file' : 'files'} through this link` });
    for (const row of chosen) {
      if (row.file.size > link.maxBytes) problems.push({ field: 'send-files', message: `${row.file.name} is larger than ${formatBytes(link.maxBytes)}, the most this link takes` });
      else if (row.file.type && !link.accepts.includes(row.file.type)) problems.push({ field: 'send-files', message: `${row.file.name} must be a video or a photo (MP4, MOV, AVI, MKV, WebM, MPEG-TS, JPEG or PNG)` });
    }
    setErrors(problems);
    if (problems.length > 0) return;
    for (const row of chosen) uploads.current.set(row.key, new FootageUpload(row.file, {}, (state) => update(row.key, state), endpoint));
    setRows((current) => current.map((row) => ({ ...row, queued: true })));
  }

  const done = rows.filter((row) => row.state.status === 'done').length;

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1 className="govuk-heading-l">Send footage to the police</h1>
      {gone && <p className="govuk-body">{gone} Contact the officer who asked you for the footage.</p>}
      {!gone && !link && <Loading what="Opening the link" />}
      {link && (
        <>
          <dl className="govuk-summary-list" data-testid="send-summary">
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Incident reference</dt>
              <dd className="govuk-summary-list__value">{link.incidentRef}</dd>
            </div>
            {link.description && (
              <div className="govuk-summary-list__row">
                <dt className="govuk-summary-list__key">Footage wanted</dt>
                <dd className="govuk-summary-list__value">{link.description}</dd>
              </div>
            )}
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">You can send</dt>
              <dd className="govuk-summary-list__value">
                Up to {link.filesLeft} {link.filesLeft === 1 ? 'file' : 'files'}, each up to {formatBytes(link.maxBytes)}
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Link open until</dt>
              <dd className="govuk-summary-list__value">{formatDateTime(link.expiresAt)}</dd>
            </div>
          </dl>
          <p className="govuk-body">
            Send the original files from the recorder or camera, not a copy filmed on a phone. If the connection drops, choose the same file
            again in this browser and it carries on from where it stopped.
          </p>
          <form onSubmit={send} noValidate>
            <FilesDropZone
              id="send-files"
              label="Footage"
              hint="Video or photos. You can choose several files at once."
              error={errorFor(errors, 'send-files')}
              accept={link.accepts.join(',')}
              inputRef={input}
              onFiles={addFiles}
            />
            {rows.length > 0 && (
              <FilesTable
                label="Files to send"
                rows={rows}
                uploads={uploads.current}
                linkToItem={false}
                onRemove={(row) => {
                  const upload = uploads.current.get(row.key);
                  if (upload && !['done', 'failed'].includes(row.state.status)) void upload.cancel();
                  uploads.current.delete(row.key);
                  setRows((current) => current.filter((r) => r.key !== row.key));
                }}
              />
            )}
            {done > 0 && (
              <div className="govuk-panel govuk-panel--confirmation" role="status">
                <h2 className="govuk-panel__title govuk-!-font-size-36">
                  {done} {done === 1 ? 'file' : 'files'} received
                </h2>
                <div className="govuk-panel__body govuk-!-font-size-24">For incident {link.incidentRef}. Thank you.</div>
              </div>
            )}
            <button type="submit" className="govuk-button">
              Send footage
            </button>
          </form>
        </>
      )}
    </>
  );
}
