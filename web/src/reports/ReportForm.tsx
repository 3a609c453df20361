import './reports.css';
import { Suspense, lazy, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { messageOf } from '../api.ts';
import { ErrorSummary, SelectInput, TextInput, errorFor, type FormError } from '../shell/forms.tsx';
import { Loading } from '../shell/Loading.tsx';
import { usePageTitle } from '../shell/usePageTitle.ts';
import { blurPoint, formatPoint, PRECISIONS, type Point } from './blur.ts';
import { clearDraft, loadDraft, useDraftAutosave } from './draft.ts';
import { EmergencyBanner } from './EmergencyBanner.tsx';
import { Checkbox, Radios, Textarea } from './fields.tsx';
import { useInstallableApp } from './installable.ts';
import type { QueuedReport } from './outbox.ts';
import { readPhotoFacts, stripPhotoLocation } from './photo-metadata.ts';
import { getCategories, PHOTO_MAX_BYTES, PHOTO_MAX_COUNT, PHOTO_TYPES, searchPlaces, type Category, type Place } from './public-api.ts';
import { flushOutbox, queue, useOutbox } from './sender.ts';
import { useAreaCentre } from './useAreaCentre.ts';
import { useMapStyle } from './useMapStyle.ts';

const LocationPicker = lazy(() => import('./LocationPicker.tsx'));
// The pages that follow "Send report" must open with no connection: load their code now, while there is one.
void import('./ReportSent.tsx');
void import('./ReportStatusPage.tsx');

const DESCRIPTION_MAX = 5000;

/** What the form keeps in its draft on the phone (photos are not kept: too large). */
interface Draft {
  category: string;
  description: string;
  /** "latitude,longitude" of the exact point chosen, or empty */
  point: string;
  precision: string;
  placeName: string;
  /** the place chosen from those offered, when the point is its centre (else empty) */
  placeChosen: string;
  when: string;
  date: string;
  time: string;
  name: string;
  email: string;
  phone: string;
}

const EMPTY: Draft = { category: '', description: '', point: '', precision: '100', placeName: '', placeChosen: '', when: 'now', date: '', time: '', name: '', email: '', phone: '' };

interface Photo {
  id: string;
  name: string;
  type: string;
  size: number;
  original: Uint8Array;
  /** the same photo with its location removed */
  stripped: Uint8Array;
  hasLocation: boolean;
  preview: string;
}

function parsePoint(text: string): Point | null {
  const [lat, lon] = text.split(',').map(Number);
  return lat !== undefined && lon !== undefined && Number.isFinite(lat) && Number.isFinite(lon) && text ? { latitude: lat, longitude: lon } : null;
}

/** The public report form: no account, phone first, works offline. */
export default function ReportForm() {
  useInstallableApp();
  const outbox = useOutbox();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => loadDraft(EMPTY));
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [categoriesError, setCategoriesError] = useState<string | null>(null);
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const [shareLocation, setShareLocation] = useState(false);
  const [honeypot, setHoneypot] = useState('');
  const [errors, setErrors] = useState<FormError[]>([]);
  const [locating, setLocating] = useState(false);
  const [saving, setSaving] = useState(false);
  const savedAt = useDraftAutosave(draft, !saving);
  const centre = useAreaCentre();
  const styleUrl = useMapStyle();
  usePageTitle('Report something to the police', errors.length > 0);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const point = useMemo(() => parsePoint(draft.point), [draft.point]);
  /** the point is a chosen place's centre: the place's name is sent, not a point */
  const fromPlace = point !== null && draft.placeChosen !== '';
  const precision = fromPlace ? 0 : Number(draft.precision) || 0;
  const sentPoint = point ? blurPoint(point, precision) : null;
  const [places, setPlaces] = useState<Place[] | null>(null);

  /** A tap on the map or the device's location: an exact point, no longer a chosen place's centre. */
  const pickPoint = (p: Point) => setDraft((d) => ({ ...d, point: `${p.latitude},${p.longitude}`, placeChosen: '' }));
  const choosePlace = (p: Place) => {
    setDraft((d) => ({ ...d, placeName: p.name, placeChosen: p.name, point: `${p.latitude},${p.longitude}` }));
    setPlaces(null);
  };
  const typePlace = (text: string) =>
    // Changing a chosen place's name lets go of its point too.
    setDraft((d) => (d.placeChosen && text !== d.placeChosen ? { ...d, placeName: text, placeChosen: '', point: '' } : { ...d, placeName: text }));

  // The places matching what is typed, a moment after typing stops (nothing offline).
  useEffect(() => {
    const text = draft.placeName.trim();
    if (text.length < 2 || text === draft.placeChosen) {
      setPlaces(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searchPlaces(text, controller.signal)
        .then(({ places: found }) => setPlaces(found))
        .catch(() => {
          if (!controller.signal.aborted) setPlaces(null);
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft.placeName, draft.placeChosen]);

  // Categories come from the server (an administrator sets them); kept for offline use.
  useEffect(() => {
    const controller = new AbortController();
    getCategories(controller.signal)
      .then(({ categories: list }) => {
        setCategories(list);
        localStorage.setItem('peel-report-categories', JSON.stringify(list));
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const kept = JSON.parse(localStorage.getItem('peel-report-categories') ?? 'null') as Category[] | null;
        if (kept) setCategories(kept);
        else setCategoriesError(`The list of what you can report could not be loaded. ${messageOf(error)}`);
      });
    return () => controller.abort();
  }, []);

  // Previews are object URLs: let them go when the photos do.
  const previews = useRef<string[]>([]);
  useEffect(() => {
    previews.current = photos.map((p) => p.preview);
  }, [photos]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);

  async function addPhotos(files: FileList | null) {
    setPhotoError(null);
    if (!files) return;
    const added: Photo[] = [];
    const problems: string[] = [];
    for (const file of Array.from(files)) {
      if (photos.length + added.length >= PHOTO_MAX_COUNT) {
        problems.push(`You can add up to ${PHOTO_MAX_COUNT} photos.`);
        break;
      }
      if (!PHOTO_TYPES.includes(file.type)) {
        problems.push(`${file.name} is not a JPEG, PNG or WebP photo.`);
        continue;
      }
      if (file.size > PHOTO_MAX_BYTES) {
        problems.push(`${file.name} is larger than 8 MB.`);
        continue;
      }
      const original = new Uint8Array(await file.arrayBuffer());
      try {
        const stripped = stripPhotoLocation(original);
        added.push({
          id: crypto.randomUUID(),
          name: file.name,
          type: file.type,
          size: file.size,
          original,
          stripped,
          hasLocation: readPhotoFacts(original).location !== null,
          preview: URL.createObjectURL(new Blob([stripped as BlobPart], { type: file.type })),
        });
      } catch (error) {
        problems.push(`${file.name} could not be read: ${messageOf(error)}`);
      }
    }
    setPhotos((list) => [...list, ...added]);
    if (problems.length > 0) setPhotoError(problems.join(' '));
  }

  function removePhoto(id: string) {
    setPhotos((list) => {
      const photo = list.find((p) => p.id === id);
      if (photo) URL.revokeObjectURL(photo.preview);
      return list.filter((p) => p.id !== id);
    });
  }

  function useMyLocation() {
    if (!('geolocation' in navigator)) {
      setErrors([{ field: 'use-location', message: 'This device cannot give its location. Tap the map instead.' }]);
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        pickPoint({ latitude: position.coords.latitude, longitude: position.coords.longitude });
      },
      (error) => {
        setLocating(false);
        const message =
          error.code === error.PERMISSION_DENIED
            ? 'You did not allow this page to use your location. Tap the map instead, or allow it in your browser settings.'
            : 'Your location could not be found. Tap the map instead.';
        setErrors([{ field: 'use-location', message }]);
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  function validate(): FormError[] {
    const found: FormError[] = [];
    if (!draft.category) found.push({ field: 'category', message: 'Select what happened' });
    if (!draft.description.trim()) found.push({ field: 'description', message: 'Tell us what happened' });
    else if (draft.description.length > DESCRIPTION_MAX) found.push({ field: 'description', message: `What happened must be ${DESCRIPTION_MAX.toLocaleString('en-GB')} characters or fewer` });
    if (!point && !draft.placeName.trim()) found.push({ field: 'use-location', message: 'Show where it happened: tap the map, use your location or type a place' });
    if (draft.when === 'earlier') {
      const at = occurredAt();
      if (!at) found.push({ field: 'when-date', message: 'Enter the date and time it happened' });
      else if (Date.parse(at) > Date.now() + 60_000) found.push({ field: 'when-date', message: 'The time it happened must be in the past' });
    }
    if (draft.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email)) found.push({ field: 'email', message: 'Enter an email address in the correct format, like name@example.com' });
    return found;
  }

  function occurredAt(): string | null {
    if (draft.when !== 'earlier') return new Date().toISOString();
    if (!draft.date) return null;
    const local = new Date(`${draft.date}T${draft.time || '12:00'}`);
    return Number.isNaN(local.getTime()) ? null : local.toISOString();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    if (found.length > 0) return;
    setSaving(true);
    const contact = { name: draft.name.trim(), email: draft.email.trim(), phone: draft.phone.trim() };
    const fields: Record<string, unknown> = {
      category: draft.category,
      description: draft.description,
      occurredAt: occurredAt(),
      website: honeypot,
    };
    // A point tapped or found is sent (blurred as chosen); a place chosen or only typed goes by
    // its name, and the server puts the report at the place's centre, marked as inferred.
    if (sentPoint && !fromPlace) Object.assign(fields, { latitude: sentPoint.latitude, longitude: sentPoint.longitude, locationPrecisionMetres: precision });
    if (draft.placeName.trim()) fields.placeName = fromPlace ? draft.placeChosen : draft.placeName.trim();
    if (contact.name || contact.email || contact.phone) {
      fields.contact = Object.fromEntries(Object.entries(contact).filter(([, v]) => v));
    }
    const item: QueuedReport = {
      key: crypto.randomUUID(),
      fields,
      photos: photos.map((p) => ({
        name: p.name,
        type: p.type,
        // Where the photo was taken leaves the phone only if the reporter said so.
        blob: new Blob([(shareLocation ? p.original : p.stripped) as BlobPart], { type: p.type }),
        uploaded: false,
      })),
      shareLocation: shareLocation && photos.some((p) => p.hasLocation),
      queuedAt: new Date().toISOString(),
      receipt: null,
      lastError: null,
      refused: false,
    };
    try {
      // Saved on the phone first; sending carries on after the page changes.
      await queue(item);
      clearDraft();
      void flushOutbox();
      navigate(`/report/sent/${item.key}`);
    } catch (error) {
      setSaving(false);
      setErrors([{ message: `The report could not be saved on this phone: ${messageOf(error)}` }]);
    }
  }

  const categoryOptions = [{ value: '', text: 'Choose what happened' }, ...(categories ?? []).map((c) => ({ value: c.code, text: c.label }))];
  const waiting = outbox.queued.length;

  return (
    <div className="peel-report">
      <ErrorSummary errors={errors} />
      <EmergencyBanner />
      <h1 className="govuk-heading-l">Report something to the police</h1>
      <p className="govuk-body">
        Tell us about something that has happened or is happening that is not an emergency. You do not need an account.
        Only what happened, where and a short description are needed.
      </p>
      {!outbox.online && (
        <div className="govuk-inset-text" role="status">
          You are offline. You can still fill in the form: your report will be kept on this phone and sent when you are back online.
        </div>
      )}
      {waiting > 0 && (
        <div className="govuk-inset-text" role="status">
          {waiting === 1 ? '1 report is' : `${waiting} reports are`} waiting on this phone to be sent.{' '}
          <Link className="govuk-link" to={`/report/sent/${outbox.queued[0]!.key}`}>
            See {waiting === 1 ? 'it' : 'the first'}
          </Link>
        </div>
      )}

      <form onSubmit={(e) => void submit(e)} noValidate>
        {categoriesError && !categories ? (
          <p className="govuk-error-message">{categoriesError}</p>
        ) : !categories ? (
          <Loading what="Loading what you can report" />
        ) : (
          <SelectInput id="category" label={<strong>What happened?</strong>} error={errorFor(errors, 'category')} value={draft.category} onChange={(v) => set('category', v)} options={categoryOptions} />
        )}

        <fieldset className="govuk-fieldset govuk-!-margin-bottom-6">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Where did it happen?</legend>
          <div className="govuk-hint">Tap the map, use where you are now, or type a place. You can blur the spot before you send it.</div>
          <div className={`govuk-form-group${errorFor(errors, 'use-location') ? ' govuk-form-group--error' : ''}`}>
            {errorFor(errors, 'use-location') && (
              <p id="use-location-error" className="govuk-error-message">
                <span className="govuk-visually-hidden">Error:</span> {errorFor(errors, 'use-location')}
              </p>
            )}
            <button type="button" id="use-location" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-3" onClick={useMyLocation} disabled={locating}>
              {locating ? 'Finding your location…' : 'Use my location'}
            </button>
            <Suspense fallback={<Loading what="Loading the map" />}>
              {styleUrl === undefined ? (
                <Loading what="Loading the map" />
              ) : (
                <LocationPicker point={point} precision={precision} styleUrl={styleUrl} center={centre ?? undefined} onPick={pickPoint} />
              )}
            </Suspense>
            <p className="govuk-body-s govuk-!-margin-top-2" role="status">
              {fromPlace
                ? `We will be told the place you chose, ${draft.placeChosen}, and put it at its centre (marked on the map).`
                : sentPoint
                ? precision > 0
                  ? `We will be told only the blue square around your spot (its centre, ${formatPoint(sentPoint)}).`
                  : `We will be told the exact spot: ${formatPoint(sentPoint)}.`
                : draft.placeName.trim()
                  ? 'We will look up the place you typed. Choose one of the places offered to be sure it is found.'
                  : 'No place chosen yet.'}
            </p>
          </div>
          <TextInput
            id="place-name"
            label="Or type a place"
            hint="A district or neighbourhood, then choose it from the list. You can also name a street, shop or landmark to go with the spot on the map."
            value={draft.placeName}
            onChange={typePlace}
            autoComplete="off"
            spellCheck={false}
          />
          {places && (
            <div className="govuk-!-margin-bottom-6" data-testid="place-matches">
              <p className="govuk-body-s govuk-!-margin-bottom-1" role="status">
                {places.length === 0
                  ? point
                    ? 'No place in the force area has that name; the spot on the map is used.'
                    : 'No place in the force area has that name. Try another name, or show where it happened on the map.'
                  : `${places.length} ${places.length === 1 ? 'place matches' : 'places match'}: choose one.`}
              </p>
              {places.length > 0 && (
                <ul className="govuk-list peel-report__places">
                  {places.map((p) => (
                    <li key={`${p.kind}:${p.name}`}>
                      <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" onClick={() => choosePlace(p)}>
                        {p.name}
                        <span className="govuk-visually-hidden">,</span> <span className="peel-report__place-kind">{p.kind === 'district' ? 'district' : 'neighbourhood'}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {!fromPlace && (
            <Radios
              id="precision"
              legend="How exact should the location be?"
              hint="A blurred location protects your privacy, for example if you are reporting from home."
              small
              value={draft.precision}
              onChange={(v) => set('precision', v)}
              options={PRECISIONS.map((p) => ({ value: String(p.metres), text: p.label }))}
            />
          )}
        </fieldset>

        <Radios
          id="when"
          legend="When did it happen?"
          error={errorFor(errors, 'when-date')}
          value={draft.when}
          onChange={(v) => set('when', v)}
          options={[
            { value: 'now', text: 'Just now, or it is still happening' },
            {
              value: 'earlier',
              text: 'Earlier',
              reveal: (
                <div className="peel-report__when">
                  <TextInput id="when-date" label="Date" type="date" width="10" value={draft.date} onChange={(v) => set('date', v)} max={new Date().toISOString().slice(0, 10)} />
                  <TextInput id="when-time" label="Time (roughly)" type="time" width="5" value={draft.time} onChange={(v) => set('time', v)} />
                </div>
              ),
            },
          ]}
        />

        <Textarea
          id="description"
          label="Tell us what happened"
          hint="Include what you saw or heard, and anyone involved. Do not include anything you would not want the police to read."
          error={errorFor(errors, 'description')}
          value={draft.description}
          onChange={(v) => set('description', v)}
          maxLength={DESCRIPTION_MAX}
        />

        <div className={`govuk-form-group${photoError ? ' govuk-form-group--error' : ''}`}>
          <label className="govuk-label govuk-label--s" htmlFor="photos">
            Photos (optional)
          </label>
          <div id="photos-hint" className="govuk-hint">
            Up to {PHOTO_MAX_COUNT} photos, each a JPEG, PNG or WebP of 8 MB or less. Where a photo was taken is removed before it is sent, unless you choose to share it.
          </div>
          {photoError && (
            <p id="photos-error" className="govuk-error-message">
              <span className="govuk-visually-hidden">Error:</span> {photoError}
            </p>
          )}
          <input
            className={`govuk-file-upload${photoError ? ' govuk-file-upload--error' : ''}`}
            id="photos"
            name="photos"
            type="file"
            accept={PHOTO_TYPES.join(',')}
            multiple
            aria-describedby={`photos-hint${photoError ? ' photos-error' : ''}`}
            onChange={(event) => {
              void addPhotos(event.target.files);
              event.target.value = '';
            }}
          />
          {photos.length > 0 && (
            <ul className="govuk-list peel-report__photos" aria-label="Photos to send">
              {photos.map((photo) => (
                <li key={photo.id} className="peel-report__photo">
                  <img src={photo.preview} alt={`Photo ${photo.name}`} />
                  <span className="govuk-body-s">
                    {photo.name} ({Math.max(1, Math.round(photo.size / 1024))} KB){photo.hasLocation ? ', records where it was taken' : ''}
                  </span>
                  <button type="button" className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => removePhoto(photo.id)}>
                    Remove<span className="govuk-visually-hidden"> {photo.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {photos.some((p) => p.hasLocation) && (
            <Checkbox
              id="share-photo-location"
              label="Share where the photos were taken"
              hint="Your photos record where they were taken. Leave this unticked and that is removed before they leave your phone."
              checked={shareLocation}
              onChange={setShareLocation}
            />
          )}
        </div>

        <details className="govuk-details">
          <summary className="govuk-details__summary">
            <span className="govuk-details__summary-text">Can we contact you? (optional)</span>
          </summary>
          <div className="govuk-details__text">
            <p className="govuk-body">You can follow your report with the link we give you without telling us who you are. Leave details if you are happy for an officer to contact you.</p>
            <TextInput id="name" label="Name" value={draft.name} onChange={(v) => set('name', v)} autoComplete="name" />
            <TextInput id="email" label="Email address" type="email" spellCheck={false} error={errorFor(errors, 'email')} value={draft.email} onChange={(v) => set('email', v)} autoComplete="email" />
            <TextInput id="phone" label="Phone number" type="tel" width="20" value={draft.phone} onChange={(v) => set('phone', v)} autoComplete="tel" />
          </div>
        </details>

        {/* A field people never see; software that fills in every field gives itself away. */}
        <div className="peel-report__extra" aria-hidden="true">
          <label htmlFor="website">Leave this empty</label>
          <input id="website" name="website" type="text" tabIndex={-1} autoComplete="off" value={honeypot} onChange={(e) => setHoneypot(e.target.value)} />
        </div>

        <button type="submit" className="govuk-button" disabled={saving}>
          Send report
        </button>
        <p className="govuk-body-s" role="status">
          {savedAt ? `Draft saved on this phone at ${savedAt.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}.` : 'Your answers are saved on this phone as you type.'}
        </p>
      </form>
      <p className="govuk-body">
        <Link className="govuk-link" to="/area-safety">
          See how much crime is known in your area
        </Link>
      </p>
      {outbox.sent.length > 0 && (
        <>
          <h2 className="govuk-heading-m">Reports sent from this phone</h2>
          <ul className="govuk-list">
            {outbox.sent.slice(0, 5).map((r) => (
              <li key={r.key}>
                <Link className="govuk-link" to={new URL(r.statusPage).pathname}>
                  {r.reference}
                </Link>{' '}
                <span className="govuk-body-s">sent {new Date(r.sentAt).toLocaleString('en-GB')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
