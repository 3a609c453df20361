import { useEffect, useState } from 'react';
import { messageOf } from '../api.ts';
import { listQueued, listSent, putQueued, rememberSent, removeQueued, type QueuedReport, type SentReport } from './outbox.ts';
import { isTransient, postReport, tokenOf, uploadPhoto } from './public-api.ts';

/**
 * Sends what is in the outbox, oldest first: the report (with its Idempotency-Key), then
 * each photo through its status link. Progress is saved after each step, so an attempt cut
 * short resumes where it stopped. One run at a time in this page; another tab or a retry
 * after a lost reply is harmless, because the server recognises the key and the photos.
 */
const CHANGED = 'peel-outbox-changed';
let running: Promise<void> | null = null;
/** asked again while a run was going: run once more after it (the phone may be back online since) */
let again = false;

export function flushOutbox(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = flush().finally(() => {
    running = null;
    if (again) {
      again = false;
      void flushOutbox();
    }
  });
  return running;
}

async function flush(): Promise<void> {
  for (const item of await listQueued()) {
    if (item.refused) continue;
    try {
      await sendOne(item);
    } catch (error) {
      item.lastError = messageOf(error);
      if (!isTransient(error)) item.refused = true;
      await putQueued(item);
      announce();
      // No connection: the rest would fail the same way; wait to be back online.
      if (isTransient(error)) return;
    }
  }
}

async function sendOne(item: QueuedReport): Promise<void> {
  if (!item.receipt) {
    item.receipt = await postReport(item.fields, item.key);
    item.lastError = null;
    await putQueued(item);
    announce();
  }
  const token = tokenOf(item.receipt.statusUrl);
  for (const photo of item.photos) {
    if (photo.uploaded) continue;
    await uploadPhoto(token, photo.blob, photo.type, item.shareLocation);
    photo.uploaded = true;
    await putQueued(item);
  }
  rememberSent({ key: item.key, ...item.receipt, sentAt: new Date().toISOString() });
  await removeQueued(item.key);
  announce();
}

function announce() {
  window.dispatchEvent(new Event(CHANGED));
}

/** Puts a new report in the outbox: once this resolves it is kept on the phone. */
export async function queue(item: QueuedReport): Promise<void> {
  await putQueued(item);
  announce();
}

/** Gives a refused report another go (after the reporter has read why). */
export async function retry(item: QueuedReport): Promise<void> {
  await putQueued({ ...item, refused: false });
  await flushOutbox();
}

export interface OutboxState {
  queued: QueuedReport[];
  sent: SentReport[];
  online: boolean;
}

/**
 * The outbox as a page sees it, kept sending: on opening, when the phone comes back
 * online, and every 30 seconds while anything waits (a phone can say it is online when
 * the signal is too weak to send).
 */
export function useOutbox(): OutboxState {
  const [state, setState] = useState<OutboxState>({ queued: [], sent: listSent(), online: navigator.onLine });
  useEffect(() => {
    let alive = true;
    const refresh = async () => {
      const queued = await listQueued().catch(() => []);
      if (alive) setState({ queued, sent: listSent(), online: navigator.onLine });
    };
    const send = () => {
      void refresh();
      if (navigator.onLine) void flushOutbox().finally(refresh);
    };
    send();
    window.addEventListener(CHANGED, refresh);
    window.addEventListener('online', send);
    window.addEventListener('offline', refresh);
    const timer = setInterval(() => {
      void listQueued().then((q) => q.some((item) => !item.refused) && send());
    }, 30_000);
    return () => {
      alive = false;
      window.removeEventListener(CHANGED, refresh);
      window.removeEventListener('online', send);
      window.removeEventListener('offline', refresh);
      clearInterval(timer);
    };
  }, []);
  return state;
}
