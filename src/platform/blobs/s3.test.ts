import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { startS3Server, type TestS3Server } from '../../test/s3-server.ts';
import { blobStoreContract, filesUnder } from './contract.ts';
import { openBlobStore } from './index.ts';
import { S3BlobStore, parseS3Location, type S3StoreOptions } from './s3.ts';

const MiB = 1024 * 1024;
const PREFIX = 'evidence/blobs';
const BLOB_KEY = new RegExp(`^${PREFIX}/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$`);

function options(server: TestS3Server, more: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    ...more,
  };
}

/**
 * What the server holds besides finished blobs: other objects (temporaries) and unfinished
 * multipart uploads. s3rver acknowledges AbortMultipartUpload without removing the parts, so
 * an upload the client aborted counts as gone, as it would be on S3.
 */
function leftovers(server: TestS3Server): string[] {
  const aborted = new Set(server.requests().flatMap((r) => (r.startsWith('DELETE ') ? [...r.matchAll(/[?&]uploadId=([^&]+)/g)].map((m) => m[1]) : [])));
  const names = filesUnder(join(server.directory, server.bucket)).files.flatMap((f) => {
    const upload = /^\._S3rver_uploads\/([^/]+)\//.exec(f);
    if (upload) return aborted.has(upload[1]) ? [] : [`unfinished upload ${upload[1]}`];
    return [f.replace(/\._S3rver_(object|object\.md5|metadata\.json)$/, '')];
  });
  return [...new Set(names)].filter((n) => !BLOB_KEY.test(n));
}

blobStoreContract('S3BlobStore (s3rver, a real S3-compatible server)', async () => {
  const server = await startS3Server();
  const scratch = mkdtempSync(join(tmpdir(), 'peel-s3-uploads-'));
  const partSize = 5 * MiB;
  return {
    store: new S3BlobStore({ bucket: server.bucket, prefix: PREFIX }, options(server, { partSize, queueSize: 1 })),
    partSize,
    // One part being sent, one filling, and a little for the streams in between.
    memoryBound: 2 * partSize + MiB,
    leftovers: async () => leftovers(server),
    bytesLanded: async () => filesUnder(server.directory).bytes,
    scratch,
    close: async () => {
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
});

describe('S3BlobStore configuration and failures', () => {
  let server: TestS3Server;
  before(async () => {
    server = await startS3Server();
  });
  after(async () => {
    await server?.stop();
  });

  test('PEEL_BLOBS=s3://bucket/prefix with the PEEL_S3_* settings opens the S3 store, described without its secret', async () => {
    const config = loadConfig({
      PEEL_BLOBS: `s3://${server.bucket}/${PREFIX}/`,
      PEEL_S3_ENDPOINT: server.endpoint,
      PEEL_S3_ACCESS_KEY_ID: server.accessKeyId,
      PEEL_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      PEEL_S3_FORCE_PATH_STYLE: 'true',
    });
    assert.equal(config.PEEL_S3_REGION, 'us-east-1');
    const store = openBlobStore(config.PEEL_BLOBS, config);
    assert.ok(store instanceof S3BlobStore);
    assert.equal(store.prefix, PREFIX);
    assert.equal(store.describe, `S3 bucket ${server.bucket}, prefix ${PREFIX}/ at ${server.endpoint}`);
    assert.ok(!JSON.stringify(store).includes(server.secretAccessKey));
    await store.check();
    const { sha256 } = await store.put(Buffer.from('abc'));
    assert.ok(existsSync(join(server.directory, server.bucket, PREFIX, 'ba', '78', `${sha256}._S3rver_object`)), 'stored under prefix/ab/cd/<sha256>');
  });

  test('configuration errors name the setting, and never show a secret', () => {
    assert.throws(() => loadConfig({ PEEL_BLOBS: 's3://No_Such/x' }), /PEEL_BLOBS: must be a folder path or s3:\/\/BUCKET\/PREFIX/);
    assert.throws(() => loadConfig({ PEEL_BLOBS: 's3://bucket', PEEL_S3_ACCESS_KEY_ID: 'AKIA' }), /set both or neither/);
    assert.throws(() => loadConfig({ PEEL_S3_FORCE_PATH_STYLE: 'yes' }), /PEEL_S3_FORCE_PATH_STYLE/);
    assert.throws(() => parseS3Location('s3:///prefix'), /not s3:\/\/BUCKET\/PREFIX/);
    assert.deepEqual(parseS3Location('s3://peel-evidence'), { bucket: 'peel-evidence', prefix: '' });
    assert.deepEqual(parseS3Location('s3://peel-evidence//a/b/'), { bucket: 'peel-evidence', prefix: 'a/b' });
  });

  test('a missing bucket, a wrong secret, an unknown key and an unreachable server each get a clear error', async () => {
    const missing = new S3BlobStore({ bucket: 'no-such-bucket', prefix: '' }, options(server));
    await assert.rejects(missing.check(), { code: 'blob_store_unavailable', message: /bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist/ });

    const wrongSecret = new S3BlobStore({ bucket: server.bucket, prefix: '' }, options(server, { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' } }));
    const err = await wrongSecret.check().then(
      () => assert.fail('a wrong secret was accepted'),
      (e: Error) => e,
    );
    assert.match(err.message, /refused the request signature: check PEEL_S3_SECRET_ACCESS_KEY/);
    assert.ok(!err.message.includes('not-the-secret'));

    const unknownKey = new S3BlobStore({ bucket: server.bucket, prefix: '' }, options(server, { credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } }));
    await assert.rejects(unknownKey.put(Buffer.from('x')), /does not recognise the access key: check PEEL_S3_ACCESS_KEY_ID/);

    const unreachable = new S3BlobStore({ bucket: server.bucket, prefix: '' }, options(server, { endpoint: 'http://127.0.0.1:9' }));
    await assert.rejects(unreachable.stat('0'.repeat(64)), /Cannot reach S3 bucket .* \(ECONNREFUSED\).*check PEEL_S3_ENDPOINT/);
  });

  test('a blob larger than one copy request is copied to its address part by part (UploadPartCopy)', async () => {
    // S3 copies at most 5 GiB in one request; here the limit is lowered to 5 MiB to see the part-by-part path.
    const store = new S3BlobStore({ bucket: server.bucket, prefix: 'big' }, options(server, { partSize: 5 * MiB, maxCopyBytes: 5 * MiB }));
    const bytes = Buffer.alloc(11 * MiB + 3, 7);
    bytes.write('start', 0);
    bytes.write('end', bytes.length - 3);
    const before = server.requests().length;
    const { sha256, size } = await store.put(bytes);
    assert.equal(size, bytes.length);
    assert.equal(createHash('sha256').update(await buffer(await store.get(sha256))).digest('hex'), sha256);
    const partCopies = server.requests().slice(before).filter((r) => r.startsWith(`PUT /${server.bucket}/big/${sha256.slice(0, 2)}/`) && /[?&]uploadId=/.test(r) && r.includes(' copy-from '));
    assert.equal(partCopies.length, 3, 'three parts of at most 5 MiB copied inside the store');
  });

  test('putFile with a wrong vouched-for hash stores nothing and keeps the file', async () => {
    const store = new S3BlobStore({ bucket: server.bucket, prefix: 'vouch' }, options(server));
    const dir = mkdtempSync(join(tmpdir(), 'peel-s3-file-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'upload');
    writeFileSync(file, 'abc');
    const wrong = 'f'.repeat(64);
    await assert.rejects(store.putFile(file, wrong), { code: 'hash_mismatch', message: /has SHA-256 ba7816bf.*not f{64}/ });
    assert.equal(existsSync(file), true);
    assert.equal(await store.stat(wrong), null);
    rmSync(dir, { recursive: true, force: true });
  });
});
