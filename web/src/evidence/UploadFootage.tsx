import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode, type Ref } from 'react';
import { Link } from 'react-router-dom';
import type { PreviousUpload } from 'tus-js-client';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, FormGroup, TextInput, describedBy, errorFor, useForm, type FormError } from '../shell/forms.tsx';
import { Cell, ResponsiveTable } from '../shell/Table.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { utcInstant } from '../audit/types.ts';
import { FootageUpload, checksumsAvailable, forgetUpload, unfinishedUploads, type FootageFacts, type UploadState } from './tus.ts';
import { formatBytes } from './types.ts';

/** How many files go up at once; the rest wait their turn. */
const AT_ONCE = 2;

export interface Row {
  key: string;
  file: File;
  /** false until the officer presses Upload */
  queued: boolean;
  state: UploadState;
}

interface FactsForm {
  officer: string;
  deviceSerial: string;
  recordedStart: string;
  incidentRef: string;
  crimeRef: string;
}

const NO_FACTS: FactsForm = { officer: '', deviceSerial: '', recordedStart: '', incidentRef: '', crimeRef: '' };

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 /_.-]{0,63}$/;

function validate(facts: FactsForm, rows: Row[]): FormError[] {
  const errors: FormError[] = [];
  if (!rows.some((row) => !row.queued)) errors.push({ field: 'evidence-files', message: 'Choose at least one file to upload' });
  if (facts.officer && !/^[A-Za-z0-9._@-]{1,64}$/.test(facts.officer.trim())) {
    errors.push({ field: 'evidence-officer', message: 'Enter the officer’s Peel username, such as pc.smith' });
  }
  if (facts.recordedStart && !utcInstant(facts.recordedStart)) {
    errors.push({ field: 'evidence-recorded-start', message: 'Enter when recording started as a real date and time' });
  }
  if (facts.recordedStart && utcInstant(facts.recordedStart) > new Date().toISOString()) {
    errors.push({ field: 'evidence-recorded-start', message: 'When recording started must be in the past' });
  }
  for (const [field, id, name] of [
    ['incidentRef', 'evidence-incident', 'Incident reference'],
    ['crimeRef', 'evidence-crime', 'Crime reference'],
  ] as const) {
    const value = facts[field].trim();
    if (value && !REFERENCE.test(value)) errors.push({ field: id, message: `${name} must be letters, numbers, spaces, / . _ or - (up to 64)` });
  }
  return errors;
}

const ACTIVE = new Set(['uploading', 'retrying', 'finishing']);

let nextKey = 0;

/**
 * The files chosen on an upload page and their uploads: `add` puts files on the list
 * (keys starting with `prefix`), `update` records an upload's progress. An upload that
 * stopped for want of a connection carries on by itself when the browser is back online.
 */
export function useUploadRows(prefix: string) {
  const [rows, setRows] = useState<Row[]>([]);
  const uploads = useRef(new Map<string, FootageUpload>());

  const update = useCallback((key: string, state: UploadState) => {
    setRows((current) => current.map((row) => (row.key === key ? { ...row, state } : row)));
  }, []);

  useEffect(() => {
    const online = () => {
      for (const upload of uploads.current.values()) if (upload.current.status === 'stopped') upload.resume();
    };
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, []);

  function add(list: FileList) {
    const added = [...list].map((file) => ({
      key: `${prefix}${++nextKey}`,
      file,
      queued: false,
      state: { status: 'waiting', sent: 0, total: file.size, resumedFrom: null, message: null, url: null, itemId: null } satisfies UploadState,
    }));
    setRows((current) => [...current, ...added]);
  }

  return { rows, setRows, uploads, update, add };
}

/** The file input of an upload page, in a drop zone: files dragged onto it count as chosen. */
export function FilesDropZone({
  id,
  label,
  labelIsHeading,
  hint,
  error,
  accept,
  name,
  testId,
  inputRef,
  onFiles,
}: {
  id: string;
  label: ReactNode;
  labelIsHeading?: boolean;
  hint: ReactNode;
  error?: string;
  accept: string;
  name?: string;
  testId?: string;
  inputRef: Ref<HTMLInputElement>;
  onFiles: (list: FileList | null) => void;
}) {
  const [dragging, setDragging] = useState(false);
  return (
    <FormGroup id={id} label={label} labelClass="govuk-label--m" labelIsHeading={labelIsHeading} hint={hint} error={error}>
      <div
        className={`peel-evidence-dropzone${dragging ? ' peel-evidence-dropzone--active' : ''}`}
        data-testid={testId}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          onFiles(event.dataTransfer.files);
        }}
      >
        <p className="govuk-body govuk-!-margin-bottom-2">Drag and drop files here or</p>
        <input
          ref={inputRef}
          className={`govuk-file-upload${error ? ' govuk-file-upload--error' : ''}`}
          id={id}
          name={name}
          type="file"
          multiple
          accept={accept}
          aria-describedby={describedBy(id, hint, error)}
          onChange={(event) => onFiles(event.target.files)}
        />
      </div>
    </FormGroup>
  );
}

export default function UploadFootage() {
  const { fields: facts, set, errors, setErrors } = useForm<FactsForm>(NO_FACTS);
  const { rows, setRows, uploads, update, add } = useUploadRows('f');
  const [unfinished, setUnfinished] = useState<PreviousUpload[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  usePageTitle('Upload footage', errors.length > 0);

  const refreshUnfinished = useCallback(() => {
    void unfinishedUploads().then(setUnfinished, () => setUnfinished([]));
  }, []);
  useEffect(refreshUnfinished, [refreshUnfinished]);

  // Start queued files while fewer than AT_ONCE are going up.
  useEffect(() => {
    const active = rows.filter((row) => ACTIVE.has(row.state.status)).length;
    const next = rows.filter((row) => row.queued && row.state.status === 'waiting' && !uploads.current.get(row.key)?.current.url);
    for (const row of next.slice(0, Math.max(0, AT_ONCE - active))) {
      const upload = uploads.current.get(row.key);
      if (upload && upload.current.status === 'waiting') {
        void upload.start().catch(() => update(row.key, { ...upload.current, status: 'stopped', message: 'The upload could not start. Choose Resume to try again.' }));
      }
    }
    if (rows.some((row) => row.state.status === 'done')) refreshUnfinished();
  }, [rows, uploads, update, refreshUnfinished]);

  // Leaving the page stops the uploads; tus keeps where they got to for next time.
  useEffect(() => {
    const all = uploads.current;
    return () => {
      for (const upload of all.values()) if (ACTIVE.has(upload.current.status)) upload.pause();
    };
  }, [uploads]);

  function addFiles(list: FileList | null) {
    if (!list || list.length === 0) return;
    add(list);
    setErrors([]);
    if (fileInput.current) fileInput.current.value = '';
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems = validate(facts, rows);
    setErrors(problems);
    if (problems.length > 0) return;
    const footage: FootageFacts = {
      officer: facts.officer.trim(),
      deviceSerial: facts.deviceSerial.trim(),
      recordedStart: utcInstant(facts.recordedStart),
      incidentRef: facts.incidentRef.trim(),
      crimeRef: facts.crimeRef.trim(),
    };
    for (const row of rows) {
      if (row.queued) continue;
      uploads.current.set(row.key, new FootageUpload(row.file, footage, (state) => update(row.key, state)));
    }
    setRows((current) => current.map((row) => ({ ...row, queued: true })));
  }

  async function remove(row: Row) {
    const upload = uploads.current.get(row.key);
    // A refused upload is already gone from the server; anything else unfinished is terminated there.
    if (upload && row.state.status !== 'done' && row.state.status !== 'failed') await upload.cancel();
    uploads.current.delete(row.key);
    setRows((current) => current.filter((r) => r.key !== row.key));
    refreshUnfinished();
  }

  async function forget(previous: PreviousUpload) {
    await forgetUpload(previous);
    refreshUnfinished();
  }

  const chosen = rows.filter((row) => !row.queued).length;
  const done = rows.filter((row) => row.state.status === 'done').length;
  const queued = rows.filter((row) => row.queued).length;
  // Uploads this page is working on are not "unfinished from before".
  const absolute = (url: string | null) => (url ? new URL(url, location.href).href : '');
  const working = new Set(rows.map((row) => absolute(row.state.url)).filter(Boolean));
  const earlier = unfinished.filter((u) => !working.has(absolute(u.uploadUrl)));

  return (
    <>
      <ErrorSummary errors={errors} />
      <span className="govuk-caption-l">Evidence</span>
      <h1 className="govuk-heading-l">Upload footage</h1>
      <p className="govuk-body">
        Upload body-worn video or CCTV. Each file goes up in parts, so a dropped connection or a closed tab loses nothing: choose the same
        file again and it carries on from where it stopped.
        {checksumsAvailable
          ? ' Every part is checked on arrival against its SHA-256 checksum.'
          : ' This browser cannot check each part’s checksum here (that needs a secure https connection); Peel still records the file’s SHA-256.'}
      </p>

      {earlier.length > 0 && (
        <div className="govuk-inset-text" role="region" aria-labelledby="unfinished-heading">
          <h2 className="govuk-heading-s" id="unfinished-heading">
            Uploads not finished in this browser
          </h2>
          <p className="govuk-body">Choose the same file again below and it will carry on from where it stopped.</p>
          <ul className="govuk-list">
            {earlier.map((previous) => (
              <li key={previous.urlStorageKey} className="peel-evidence-unfinished">
                <span>
                  <strong>{previous.metadata.filename ?? 'A file'}</strong>
                  {previous.size !== null && `, ${formatBytes(previous.size)}`}, started {formatDateTime(previous.creationTime)}
                </span>
                <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => void forget(previous)}>
                  Forget<span className="govuk-visually-hidden"> the unfinished upload of {previous.metadata.filename ?? 'this file'}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <form onSubmit={submit} noValidate>
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">
            <h2 className="govuk-fieldset__heading">About the footage</h2>
          </legend>
          <div className="govuk-hint">These apply to every file you upload now. All are optional.</div>
          <div className="govuk-grid-row">
            <div className="govuk-grid-column-one-half">
              <TextInput
                id="evidence-officer"
                label="Officer"
                hint="Username of the officer whose footage this is. Leave blank if it is yours."
                value={facts.officer}
                onChange={set('officer')}
                error={errorFor(errors, 'evidence-officer')}
                autoComplete="off"
                spellCheck={false}
                width="20"
              />
              <TextInput
                id="evidence-device"
                label="Camera serial number"
                value={facts.deviceSerial}
                onChange={set('deviceSerial')}
                autoComplete="off"
                spellCheck={false}
                width="20"
              />
              <TextInput
                id="evidence-recorded-start"
                label="Recording started (UTC)"
                type="datetime-local"
                value={facts.recordedStart}
                onChange={set('recordedStart')}
                error={errorFor(errors, 'evidence-recorded-start')}
              />
            </div>
            <div className="govuk-grid-column-one-half">
              <TextInput
                id="evidence-incident"
                label="Incident reference"
                hint="For example, INC-2025-0412"
                value={facts.incidentRef}
                onChange={set('incidentRef')}
                error={errorFor(errors, 'evidence-incident')}
                autoComplete="off"
                spellCheck={false}
                width="20"
              />
              <TextInput
                id="evidence-crime"
                label="Crime reference"
                hint="For example, CR/12345/25"
                value={facts.crimeRef}
                onChange={set('crimeRef')}
                error={errorFor(errors, 'evidence-crime')}
                autoComplete="off"
                spellCheck={false}
                width="20"
              />
            </div>
          </div>
        </fieldset>

        <FilesDropZone
          id="evidence-files"
          label="Files"
          labelIsHeading
          hint="Video files such as MP4 or MOV. You can choose several at once."
          error={errorFor(errors, 'evidence-files')}
          accept="video/*,.mp4,.mov,.avi,.mkv,.webm,.mts"
          name="evidence-files"
          testId="evidence-dropzone"
          inputRef={fileInput}
          onFiles={addFiles}
        />

        {rows.length > 0 && (
          <>
            <p className="govuk-body" role="status" aria-live="polite">
              {queued > 0 ? `${done} of ${queued} ${queued === 1 ? 'file' : 'files'} uploaded.` : ''}
              {chosen > 0 ? ` ${chosen} ${chosen === 1 ? 'file' : 'files'} ready to upload.` : ''}
            </p>
            <FilesTable label="Files to upload" rows={rows} uploads={uploads.current} onRemove={(row) => void remove(row)} />
          </>
        )}

        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" data-module="govuk-button">
            {chosen > 1 ? `Upload ${chosen} files` : 'Upload'}
          </button>
          <Link to="/evidence" className="govuk-link">
            Back to evidence
          </Link>
        </div>
      </form>
    </>
  );
}

const STATUS_TEXT: Record<UploadState['status'], string> = {
  waiting: 'Waiting',
  uploading: 'Uploading',
  retrying: 'Reconnecting',
  paused: 'Paused',
  stopped: 'Stopped',
  finishing: 'Checking',
  done: 'Uploaded',
  failed: 'Failed',
};

const STATUS_TAG: Partial<Record<UploadState['status'], string>> = {
  done: 'govuk-tag--green',
  stopped: 'govuk-tag--red',
  failed: 'govuk-tag--red',
  retrying: 'govuk-tag--yellow',
  paused: 'govuk-tag--grey',
  waiting: 'govuk-tag--grey',
};

/** The chosen files and how their uploads are going, with buttons to pause, resume and remove each. */
export function FilesTable({
  label,
  rows,
  uploads,
  onRemove,
  linkToItem,
}: {
  label: string;
  rows: Row[];
  uploads: Map<string, FootageUpload>;
  onRemove: (row: Row) => void;
  /** staff get a link to the new item; the public do not */
  linkToItem?: boolean;
}) {
  return (
    <ResponsiveTable aria-label={label} columns={['File', 'Progress', { text: 'Actions', hidden: true }]}>
      {rows.map((row) => (
        <UploadRow
          key={row.key}
          row={row}
          linkToItem={linkToItem}
          onPause={() => uploads.get(row.key)?.pause()}
          onResume={() => uploads.get(row.key)?.resume()}
          onRemove={() => onRemove(row)}
        />
      ))}
    </ResponsiveTable>
  );
}

function UploadRow({
  row,
  onPause,
  onResume,
  onRemove,
  linkToItem = true,
}: {
  row: Row;
  onPause: () => void;
  onResume: () => void;
  onRemove: () => void;
  /** staff get a link to the new item; the public do not */
  linkToItem?: boolean;
}) {
  const { state, file } = row;
  const percent = state.total > 0 ? Math.floor((state.sent / state.total) * 100) : 100;
  const status = row.queued ? state.status : null;
  return (
    <tr className="govuk-table__row" data-testid="evidence-upload-row" data-file={file.name} data-status={status ?? 'chosen'}>
      <Cell label="File" className="peel-break">
        <strong>{file.name}</strong>
        <br />
        <span className="govuk-body-s">{formatBytes(file.size)}</span>
      </Cell>
      <Cell label="Progress">
        {status === null ? (
          <span className="govuk-tag govuk-tag--grey">Ready</span>
        ) : (
          <>
            <strong className={`govuk-tag ${STATUS_TAG[status] ?? ''}`}>{STATUS_TEXT[status]}</strong>{' '}
            <progress className="peel-evidence-progress" max={100} value={percent} aria-label={`${file.name} uploaded`}>
              {percent}%
            </progress>{' '}
            <span className="govuk-body-s">
              {percent}% ({formatBytes(state.sent)} of {formatBytes(state.total)})
            </span>
            {state.resumedFrom !== null && state.resumedFrom > 0 && (
              <span className="govuk-body-s peel-block" data-testid="evidence-resumed">
                Carried on from {formatBytes(state.resumedFrom)} sent earlier.
              </span>
            )}
            {state.message && (
              <span className={`govuk-body-s peel-block${status === 'stopped' || status === 'failed' ? ' peel-error-text' : ''}`} data-testid="evidence-upload-message">
                {state.message}
              </span>
            )}
            {status === 'done' && linkToItem && state.itemId !== null && (
              <Link className="govuk-link peel-block" to={`/evidence/items/${state.itemId}`}>
                View {file.name}
              </Link>
            )}
          </>
        )}
      </Cell>
      <Cell className="peel-nowrap">
        {(status === 'uploading' || status === 'retrying') && (
          <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={onPause}>
            Pause<span className="govuk-visually-hidden"> {file.name}</span>
          </button>
        )}
        {(status === 'paused' || status === 'stopped') && (
          <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={onResume}>
            Resume<span className="govuk-visually-hidden"> {file.name}</span>
          </button>
        )}{' '}
        {status !== 'done' && (
          <button type="button" className="govuk-button govuk-button--warning govuk-!-margin-bottom-0" onClick={onRemove}>
            {status === null || status === 'failed' ? 'Remove' : 'Cancel'}
            <span className="govuk-visually-hidden"> {file.name}</span>
          </button>
        )}
      </Cell>
    </tr>
  );
}
