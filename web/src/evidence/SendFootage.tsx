import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, api, messageOf } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, type FormError } from '../shell/forms.tsx';
import { ResponsiveTable } from '../shell/Table.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { FootageUpload, type UploadState } from './tus.ts';
import { formatBytes } from './types.ts';
import { UploadRow, type Row } from './UploadFootage.tsx';

interface UploadLink {
  incidentRef: string;
  description: string | null;
  maxBytes: number;
  filesLeft: number;
  expiresAt: string;
  accepts: string[];
}

let nextKey = 0;

/**
 * The page a member of the public or a business opens from an upload request link to send
 * footage for one incident, with no account. The files go up over tus like staff uploads.
 */
export default function SendFootage() {
  const { token = '' } = useParams();
  const endpoint = `/api/evidence/public-uploads/${encodeURIComponent(token)}`;
  const [link, setLink] = useState<UploadLink | null>(null);
  const [gone, setGone] = useState<string | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [dragging, setDragging] = useState(false);
  const uploads = useRef(new Map<string, FootageUpload>());
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

  const update = useCallback((key: string, state: UploadState) => {
    setRows((current) => current.map((row) => (row.key === key ? { ...row, state } : row)));
  }, []);

  // One file at a time: a shop's or a home's connection is often slow.
  useEffect(() => {
    if (rows.some((row) => ['uploading', 'retrying', 'finishing'].includes(row.state.status))) return;
    const next = rows.find((row) => row.queued && row.state.status === 'waiting');
    const upload = next && uploads.current.get(next.key);
    if (upload && upload.current.status === 'waiting') void upload.start();
  }, [rows]);

  useEffect(() => {
    const online = () => {
      for (const upload of uploads.current.values()) if (upload.current.status === 'stopped') upload.resume();
    };
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, []);

  function addFiles(list: FileList | null) {
    if (!list) return;
    const added: Row[] = [...list].map((file) => ({
      key: `p${++nextKey}`,
      file,
      queued: false,
      state: { status: 'waiting', sent: 0, total: file.size, resumedFrom: null, message: null, url: null, itemId: null },
    }));
    setRows((current) => [...current, ...added]);
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

  function drop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  }

  const done = rows.filter((row) => row.state.status === 'done').length;
  const error = errors.find((e) => e.field === 'send-files')?.message;

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
            <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
              <label className="govuk-label govuk-label--m" htmlFor="send-files">
                Footage
              </label>
              <div id="send-files-hint" className="govuk-hint">
                Video or photos. You can choose several files at once.
              </div>
              {error && (
                <p id="send-files-error" className="govuk-error-message">
                  <span className="govuk-visually-hidden">Error:</span> {error}
                </p>
              )}
              <div
                className={`peel-evidence-dropzone${dragging ? ' peel-evidence-dropzone--active' : ''}`}
                onDragOver={(event) => {
                  event.preventDefault();
                  setDragging(true);
                }}
                onDragLeave={() => setDragging(false)}
                onDrop={drop}
              >
                <p className="govuk-body govuk-!-margin-bottom-2">Drag and drop files here or</p>
                <input
                  ref={input}
                  className={`govuk-file-upload${error ? ' govuk-file-upload--error' : ''}`}
                  id="send-files"
                  type="file"
                  multiple
                  accept={link.accepts.join(',')}
                  aria-describedby={`send-files-hint${error ? ' send-files-error' : ''}`}
                  onChange={(event) => addFiles(event.target.files)}
                />
              </div>
            </div>
            {rows.length > 0 && (
              <ResponsiveTable aria-label="Files to send" columns={['File', 'Progress', { text: 'Actions', hidden: true }]}>
                {rows.map((row) => (
                  <UploadRow
                    key={row.key}
                    row={row}
                    linkToItem={false}
                    onPause={() => uploads.current.get(row.key)?.pause()}
                    onResume={() => uploads.current.get(row.key)?.resume()}
                    onRemove={() => {
                      const upload = uploads.current.get(row.key);
                      if (upload && !['done', 'failed'].includes(row.state.status)) void upload.cancel();
                      uploads.current.delete(row.key);
                      setRows((current) => current.filter((r) => r.key !== row.key));
                    }}
                  />
                ))}
              </ResponsiveTable>
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
