/**
 * Reports kept on the phone until the server has them. A report goes into the outbox
 * (IndexedDB, which holds photos as they are) before the first attempt to send it, and
 * leaves only when the server has answered with its reference; each carries the
 * Idempotency-Key it was given when first saved, so sending it again (after a lost
 * reply, a reload, or from another tab) never makes a second report.
 */

export interface QueuedPhoto {
  name: string;
  type: string;
  /** the bytes to send: already stripped of their location unless the reporter chose to share it */
  blob: Blob;
  /** the server has it */
  uploaded: boolean;
}

/** The server's answer to the report itself (photos follow, through the status link). */
export interface Receipt {
  reference: string;
  statusUrl: string;
  statusPage: string;
}

export interface QueuedReport {
  /** the Idempotency-Key: made once, when the report is first saved */
  key: string;
  /** the report's fields, as JSON for POST /api/reports */
  fields: Record<string, unknown>;
  photos: QueuedPhoto[];
  /** the reporter chose to share where the photos were taken */
  shareLocation: boolean;
  queuedAt: string;
  /** set once the server has the report; photos may still be waiting */
  receipt: Receipt | null;
  /** why the last attempt failed, for the reporter; null before any attempt */
  lastError: string | null;
  /** the server refused it (not a connection problem): it waits for the reporter, not for the network */
  refused: boolean;
}

export interface SentReport extends Receipt {
  key: string;
  sentAt: string;
}

const DB_NAME = 'peel-reports';
const STORE = 'outbox';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('This browser would not open its storage for reports.'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = use(tx.objectStore(STORE));
      // Resolve once the transaction is committed, so "saved" means saved.
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('The report could not be saved on this device.'));
      tx.onabort = () => reject(tx.error ?? new Error('The report could not be saved on this device.'));
    });
  } finally {
    db.close();
  }
}

export function putQueued(report: QueuedReport): Promise<unknown> {
  return withStore('readwrite', (store) => store.put(report));
}

export function removeQueued(key: string): Promise<unknown> {
  return withStore('readwrite', (store) => store.delete(key));
}

export async function listQueued(): Promise<QueuedReport[]> {
  const all = await withStore<QueuedReport[]>('readonly', (store) => store.getAll() as IDBRequest<QueuedReport[]>);
  return all.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

const SENT_KEY = 'peel-reports-sent';

/** Reports this device has sent, newest first, so their status links are not lost. */
export function listSent(): SentReport[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SENT_KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as SentReport[]) : [];
  } catch {
    return [];
  }
}

export function rememberSent(report: SentReport): void {
  const others = listSent().filter((r) => r.key !== report.key);
  localStorage.setItem(SENT_KEY, JSON.stringify([report, ...others].slice(0, 50)));
}

export function forgetSent(key: string): void {
  localStorage.setItem(SENT_KEY, JSON.stringify(listSent().filter((r) => r.key !== key)));
}
