/**
 * Runs s3rver (an S3-compatible server from the npm registry, the maintained @20minutes fork) in a process of its own, so
 * that what a test measures in its own process is the client's, not the server's.
 * Arguments: DIRECTORY BUCKET ACCESS_KEY_ID SECRET_ACCESS_KEY. Prints {"port":N} when ready,
 * then {"request":"METHOD /path?query [copy-from SOURCE]"} for each request it receives; SIGTERM closes it.
 */
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  httpServer: import('node:http').Server;
  close(): Promise<void>;
}
interface Account {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver') as new (options: object) => S3rverInstance;
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account') as { DUMMY_ACCOUNT: Account };

const [directory, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2);
if (!directory || !bucket || !accessKeyId || !secretAccessKey) {
  console.error('usage: s3-server-process.ts DIRECTORY BUCKET ACCESS_KEY_ID SECRET_ACCESS_KEY');
  process.exit(2);
}
// Only this run's keys are accepted, so a test with wrong credentials is refused as on real S3.
DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);

const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
// A second listener only watches: tests check what the client asked for, e.g. that an
// unfinished multipart upload was aborted (which this server acknowledges but does not implement).
server.httpServer.on('request', (req: import('node:http').IncomingMessage) => {
  const copy = req.headers['x-amz-copy-source'];
  process.stdout.write(`${JSON.stringify({ request: `${req.method} ${req.url}${copy ? ` copy-from ${String(copy)}` : ''}` })}\n`);
});
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
