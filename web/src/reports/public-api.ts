/**
 * The public side of the reports API: what the report form, the status page and the
 * public area-safety page call, with no account.
 */
import { MAX_PHOTO_BYTES, MAX_PHOTOS, type StatusView } from '../../../src/modules/reports/shapes.ts';
import { ApiError } from '../api.ts';
import type { Receipt } from './outbox.ts';

export type { Status as ReportStatus, StatusView } from '../../../src/modules/reports/shapes.ts';

export interface Category {
  code: string;
  label: string;
}

/** What a photo may be, as the server accepts it. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const PHOTO_MAX_BYTES = MAX_PHOTO_BYTES;
export const PHOTO_MAX_COUNT = MAX_PHOTOS;

/** Whether an error means "try again later" (no connection, server busy) rather than "this was refused". */
export function isTransient(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

async function call<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch {
    throw new ApiError(0, 'network_error', 'There is no connection at the moment.');
  }
  const data: unknown = await response.json().catch(() => null);
  if (response.ok) return data as T;
  const body = data as { error?: { code?: unknown; message?: unknown } } | null;
  throw new ApiError(
    response.status,
    typeof body?.error?.code === 'string' ? body.error.code : `http_${response.status}`,
    typeof body?.error?.message === 'string' ? body.error.message : `Something went wrong (the server replied ${response.status}).`,
  );
}

/** A random id for this device, kept on it: the server limits how often one device may report. */
export function deviceId(): string {
  const key = 'peel-device-id';
  let id = localStorage.getItem(key);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(key, id);
  }
  return id;
}

/** A place in the force area (a district or an LSOA), at its centre. */
export interface Place {
  name: string;
  kind: string;
  latitude: number;
  longitude: number;
}

/** Up to ten places whose name matches what has been typed. */
export function searchPlaces(text: string, signal?: AbortSignal): Promise<{ places: Place[] }> {
  return call(`/api/public/places?q=${encodeURIComponent(text)}`, { signal });
}

export function getCategories(signal?: AbortSignal): Promise<{ categories: Category[] }> {
  return call('/api/reports/categories', { signal });
}

/** Files the report; the same key again gets the same reference and stores nothing new. */
export function postReport(fields: Record<string, unknown>, idempotencyKey: string): Promise<Receipt> {
  return call('/api/reports', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey, 'X-Device-Id': deviceId() },
    body: JSON.stringify(fields),
  });
}

/** The status token at the end of a status link (API or page). */
export function tokenOf(statusUrl: string): string {
  return new URL(statusUrl, window.location.href).pathname.split('/').pop() ?? '';
}

/** Adds a photo to a report; the same photo twice is stored once, so a retry is safe. */
export function uploadPhoto(token: string, photo: Blob, type: string, shareLocation: boolean): Promise<unknown> {
  return call(`/api/reports/status/${encodeURIComponent(token)}/photos?shareLocation=${shareLocation}`, {
    method: 'POST',
    headers: { 'Content-Type': type, 'X-Device-Id': deviceId() },
    body: photo,
  });
}

export function getStatus(token: string, signal?: AbortSignal): Promise<StatusView> {
  return call(`/api/reports/status/${encodeURIComponent(token)}`, { signal });
}
