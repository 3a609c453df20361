import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Media } from './service.ts';

/**
 * What the stored bytes are: the sniffed type, media facts from ffprobe and a poster frame.
 * These come from src/platform/media (built alongside); until it is merged they stay null,
 * and content is served as opaque bytes (application/octet-stream, as a download).
 */
export async function describeStored(_blobs: BlobStore, _sha256: string): Promise<{ mimeType?: string | null; media?: Media | null; posterSha256?: string | null }> {
  return {};
}
