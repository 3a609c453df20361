import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, api, messageOf, queryString } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, TextInput, errorFor, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { formatBytes, type SharedView } from './types.ts';

type Outcome =
  | { kind: 'loading' }
  | { kind: 'pin'; wrong: boolean }
  | { kind: 'gone'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'shown'; view: SharedView };

/**
 * What a prosecutor or defence lawyer sees when they open a share link: no account, only
 * the link (and a PIN if one was set). Playing or downloading is recorded as a disclosure.
 */
export default function SharedEvidence() {
  const { token = '' } = useParams();
  const [pin, setPin] = useState('');
  const [sentPin, setSentPin] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'loading' });
  const [errors, setErrors] = useState<FormError[]>([]);
  usePageTitle('Evidence shared with you', errors.length > 0);

  const load = useCallback(
    async (withPin: string) => {
      try {
        const view = await api<SharedView>(`/api/evidence/shared/${encodeURIComponent(token)}${queryString({ pin: withPin })}`, { signedOutIsFine: true });
        setOutcome({ kind: 'shown', view });
        setErrors([]);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          const wrong = error.code === 'wrong_pin';
          setOutcome({ kind: 'pin', wrong });
          setErrors(wrong ? [{ field: 'share-pin', message: error.message || 'The PIN is not right' }] : []);
        } else if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
          setOutcome({
            kind: 'gone',
            message:
              error.status === 404
                ? 'This link is not right. Check that you copied all of it.'
                : 'This link has expired, been revoked or been used as many times as allowed.',
          });
        } else {
          setOutcome({ kind: 'error', message: messageOf(error) });
        }
      }
    },
    [token],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  function submitPin(event: FormEvent) {
    event.preventDefault();
    if (!/^\d{4,12}$/.test(pin.trim())) {
      setErrors([{ field: 'share-pin', message: 'Enter the PIN you were sent: 4 to 12 digits' }]);
      return;
    }
    setSentPin(pin.trim());
    void load(pin.trim());
  }

  const withPin = (url: string) => (sentPin ? `${url}${url.includes('?') ? '&' : '?'}pin=${encodeURIComponent(sentPin)}` : url);

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1 className="govuk-heading-l">Evidence shared with you</h1>
      {outcome.kind === 'loading' && <Loading what="Opening the link" />}
      {outcome.kind === 'gone' && (
        <>
          <p className="govuk-body">{outcome.message}</p>
          <p className="govuk-body">Ask the person who sent it for a new link.</p>
        </>
      )}
      {outcome.kind === 'error' && <p className="govuk-body">{outcome.message}</p>}
      {outcome.kind === 'pin' && (
        <form onSubmit={submitPin} noValidate>
          <p className="govuk-body">This link needs a PIN. It was sent to you separately from the link, for example by phone or text message.</p>
          <TextInput
            id="share-pin"
            label="PIN"
            hint="Five wrong tries and the link stops working."
            value={pin}
            onChange={setPin}
            error={errorFor(errors, 'share-pin')}
            inputMode="numeric"
            autoComplete="one-time-code"
            width="10"
          />
          <button type="submit" className="govuk-button">
            Continue
          </button>
        </form>
      )}
      {outcome.kind === 'shown' && <Shown view={outcome.view} token={token} withPin={withPin} />}
    </>
  );
}

function Shown({ view, token, withPin }: { view: SharedView; token: string; withPin: (url: string) => string }) {
  const single = view.items.length === 1 ? view.items[0] : undefined;
  return (
    <>
      <dl className="govuk-summary-list" data-testid="shared-summary">
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Shared by</dt>
          <dd className="govuk-summary-list__value">{view.sharedBy ?? 'Not named'}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Shared with</dt>
          <dd className="govuk-summary-list__value">{view.recipient}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Link expires</dt>
          <dd className="govuk-summary-list__value">{formatDateTime(view.expiresAt)}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">You may</dt>
          <dd className="govuk-summary-list__value">{view.allowDownload ? 'View and download' : 'View only'}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Uses left</dt>
          <dd className="govuk-summary-list__value">{view.accessesLeft === null ? 'No limit' : view.accessesLeft}</dd>
        </div>
      </dl>
      <div className="govuk-warning-text">
        <span className="govuk-warning-text__icon" aria-hidden="true">
          !
        </span>
        <strong className="govuk-warning-text__text">
          <span className="govuk-visually-hidden">Warning</span>
          Each time you play or download from the start it is recorded as a disclosure to you{view.accessesLeft !== null ? ', and counts as one use' : ''}.
        </strong>
      </div>

      {view.items.map((item) => (
        <section key={item.id} className="peel-evidence-section" aria-labelledby={`shared-${item.id}`}>
          <h2 className="govuk-heading-m peel-break" id={`shared-${item.id}`}>
            {item.filename ?? `Item ${item.id}`}
          </h2>
          <p className="govuk-body">
            {formatBytes(item.size)}
            {item.mimeType ? `, ${item.mimeType}` : ''}
          </p>
          {(item.mimeType ?? 'video/').startsWith('video/') && (
            // preload="none": nothing is fetched, and no use counted, until they press play.
            <video
              className="peel-evidence-video"
              controls
              preload="none"
              src={withPin(`/api/evidence/shared/${encodeURIComponent(token)}/items/${item.id}/content`)}
              aria-label={`Play ${item.filename ?? 'the footage'}`}
              data-testid="shared-player"
            />
          )}
          <h3 className="govuk-heading-s">SHA-256</h3>
          <p className="govuk-body peel-break">
            <code className="peel-evidence-hash" data-testid="shared-sha256">
              {item.sha256}
            </code>
          </p>
        </section>
      ))}

      {view.allowDownload && view.downloadUrl && (
        <a className="govuk-button" href={withPin(view.downloadUrl)} download data-testid="shared-download">
          {single ? `Download ${single.filename ?? 'the file'}` : 'Download all (zip)'}
        </a>
      )}

      <h2 className="govuk-heading-m">Check the file is unaltered</h2>
      {single ? (
        <>
          <p className="govuk-body">After downloading, work out the file’s SHA-256 hash and compare it with the one above. They must be the same.</p>
          <p className="govuk-body">On Linux:</p>
          <pre className="peel-evidence-code">
            <code>{`echo "${single.sha256}  ${single.filename ?? 'FILE'}" | sha256sum -c`}</code>
          </pre>
          <p className="govuk-body">
            It prints <code>{`${single.filename ?? 'FILE'}: OK`}</code> when the file is unaltered. On a Mac use <code>shasum -a 256 -c</code> in place of{' '}
            <code>sha256sum -c</code>; on Windows, <code>{`certutil -hashfile "${single.filename ?? 'FILE'}" SHA256`}</code> prints the hash to compare.
          </p>
        </>
      ) : (
        <p className="govuk-body">
          The zip holds a file <code>SHA256SUMS</code> listing each file’s hash. Unzip it and, in that folder, run <code>sha256sum -c SHA256SUMS</code>: every
          line must end in OK.
        </p>
      )}
    </>
  );
}
