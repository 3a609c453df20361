import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useSignedIn } from '../auth/session.tsx';
import { formatDateTime } from '../format.ts';
import { ErrorSummary, useErrorList } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { NotFound } from '../shell/NotFound.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { CategoriesEditor } from './CategoriesEditor.tsx';
import { useApi, useCategories } from './data.ts';
import { Holds } from './Holds.tsx';
import { RetentionText } from './Retention.tsx';
import { Shares } from './Shares.tsx';
import { CUSTODY_ROLES, MANAGE_ROLES, formatBytes, formatDuration, itemName, type Item, type ItemWithDerived } from './types.ts';

export default function ItemPage() {
  const { id } = useParams();
  const valid = /^\d+$/.test(id ?? '');
  const item = useApi<ItemWithDerived>(valid ? `/api/evidence/items/${id}` : null);
  const categories = useCategories();
  const { user } = useSignedIn();
  const errors = useErrorList(item.error);
  usePageTitle(item.data ? itemName(item.data) : 'Evidence item', errors.length > 0);

  if (!valid) return <NotFound />;
  if (!item.data) {
    return item.error ? (
      <>
        <ErrorSummary errors={errors} />
        <h1 className="govuk-heading-l">Evidence item</h1>
        <p className="govuk-body">
          <Link className="govuk-link" to="/evidence">
            Back to evidence
          </Link>
        </p>
      </>
    ) : (
      <Loading what="Loading the footage" />
    );
  }

  const data = item.data;
  const stored = data.status === 'stored';
  const manage = MANAGE_ROLES.includes(user.role);
  const update = (next: Item) => item.replace({ ...next, derived: data.derived });
  const content = `/api/evidence/items/${data.id}/content`;

  return (
    <>
      <ErrorSummary errors={errors} />
      <Link className="govuk-back-link" to="/evidence">
        Evidence
      </Link>
      <span className="govuk-caption-l">Evidence item {data.id}</span>
      <h1 className="govuk-heading-l peel-break">{itemName(data)}</h1>
      {!stored && (
        <div className="govuk-warning-text">
          <span className="govuk-warning-text__icon" aria-hidden="true">
            !
          </span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            This footage was deleted on {formatDateTime(data.deletedAt)}
            {data.deletedRule ? ` under the rule “${data.deletedRule}”` : ''}. Its record and hash are kept.
          </strong>
        </div>
      )}

      <div className="govuk-grid-row">
        <div className="govuk-grid-column-two-thirds">
          {stored && (
            <>
              {/* Range requests stream the file; the browser fetches only what it plays. */}
              <video
                className="peel-evidence-video"
                controls
                preload="metadata"
                src={content}
                poster={data.posterSha256 ? `/api/evidence/items/${data.id}/poster` : undefined}
                data-testid="evidence-player"
                aria-label={`Play ${itemName(data)}`}
              >
                Your browser cannot play this video here.{' '}
                <a className="govuk-link" href={`${content}?download=true`}>
                  Download it
                </a>{' '}
                instead.
              </video>
              <p className="govuk-body">
                <a className="govuk-link" href={`${content}?download=true`} download>
                  Download the original file
                </a>{' '}
                ({formatBytes(data.size)}). Viewing and downloading are recorded in the item’s custody trail.
              </p>
            </>
          )}

          <h2 className="govuk-heading-m">About this footage</h2>
          <dl className="govuk-summary-list" data-testid="evidence-facts">
            <Fact name="SHA-256">
              <code className="peel-evidence-hash">{data.sha256}</code>
            </Fact>
            <Fact name="Size">{formatBytes(data.size)}</Fact>
            <Fact name="Type">{data.mimeType ?? 'Not known'}</Fact>
            {data.media && (
              <>
                <Fact name="Length">{formatDuration(data.media.durationSeconds)}</Fact>
                <Fact name="Picture">
                  {data.media.width && data.media.height ? `${data.media.width} × ${data.media.height}` : 'Not known'}
                  {data.media.codec ? `, ${data.media.codec}` : ''}
                </Fact>
                <Fact name="Sound">{data.media.audioCodec ?? 'None'}</Fact>
                {data.media.problem && (
                  <Fact name="Problem">
                    <strong className="govuk-tag govuk-tag--red">Damaged</strong> {data.media.problem}
                  </Fact>
                )}
              </>
            )}
            <Fact name="Officer">{data.officer ?? 'Not known'}</Fact>
            <Fact name="Camera">{data.deviceSerial ?? 'Not known'}</Fact>
            <Fact name="Recorded">
              {formatDateTime(data.recordedStart, 'Not known')}
              {data.recordedEnd ? ` to ${formatDateTime(data.recordedEnd)}` : ''}
            </Fact>
            {(data.location || data.latitude !== null) && (
              <Fact name="Location">
                {data.location}
                {data.latitude !== null && data.longitude !== null ? ` (${data.latitude.toFixed(5)}, ${data.longitude.toFixed(5)})` : ''}
              </Fact>
            )}
            <Fact name="Incident reference">{data.incidentRef ?? 'None'}</Fact>
            <Fact name="Crime reference">{data.crimeRef ?? 'None'}</Fact>
            <Fact name="Uploaded">
              {formatDateTime(data.createdAt)} by {data.uploadedBy ?? 'the system'} ({data.source})
            </Fact>
            {data.derivedFrom !== null && (
              <Fact name="Derived from">
                <Link className="govuk-link" to={`/evidence/items/${data.derivedFrom}`}>
                  Item {data.derivedFrom}
                </Link>
                {data.derivation ? ` (${data.derivation})` : ''}
              </Fact>
            )}
            <Fact name="Retention">
              <RetentionText retention={data.retention} />
              {data.retention && <span className="govuk-body-s peel-block">Rule: {data.retention.rule}</span>}
            </Fact>
          </dl>

          {stored && <CategoriesEditor item={data} categories={categories.data?.categories} onSaved={update} />}
          <Holds item={data} canManage={manage && stored} onChanged={update} />

          <section className="peel-evidence-section" aria-labelledby="derived-heading">
            <h2 className="govuk-heading-m" id="derived-heading">
              Derived copies
            </h2>
            {data.derived.length === 0 ? (
              <p className="govuk-body">There are no clips, redactions or previews of this footage. The original is never changed.</p>
            ) : (
              <ul className="govuk-list govuk-list--bullet">
                {data.derived.map((copy) => (
                  <li key={copy.id}>
                    <Link className="govuk-link" to={`/evidence/items/${copy.id}`}>
                      {itemName(copy)}
                    </Link>
                    {copy.derivation ? ` (${copy.derivation})` : ''}, {formatBytes(copy.size)}
                  </li>
                ))}
              </ul>
            )}
          </section>

          {manage && stored && <Shares item={data} />}
        </div>

        <div className="govuk-grid-column-one-third">
          <aside className="peel-evidence-aside" aria-label="Related">
            {CUSTODY_ROLES.includes(user.role) && (
              <>
                <h2 className="govuk-heading-s">Chain of custody</h2>
                <p className="govuk-body">
                  <Link className="govuk-link" to={`/evidence/items/${data.id}/custody`}>
                    Custody trail
                  </Link>
                  : every action on this item, with hashes.
                </p>
              </>
            )}
          </aside>
        </div>
      </div>
    </>
  );
}

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div className="govuk-summary-list__row">
      <dt className="govuk-summary-list__key">{name}</dt>
      <dd className="govuk-summary-list__value peel-break">{children}</dd>
    </div>
  );
}
