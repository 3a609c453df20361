import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** where the server keeps its files: tests look here for leftovers such as unfinished multipart uploads */
  directory: string;
  /** every request the server has received so far, as "METHOD /path?query", with " copy-from SOURCE" for a server-side copy */
  requests(): string[];
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver, from the npm registry) on a free loopback port,
 * with a temporary folder, one bucket and credentials made up for this run.
 */
export async function startS3Server(bucket = 'peel-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'peel-s3-'));
  const accessKeyId = `PEELTEST${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString('base64url');
  const child = spawn(process.execPath, [join(import.meta.dirname, 's3-server-process.ts'), directory, bucket, accessKeyId, secretAccessKey], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const requests: string[] = [];
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test S3 server did not start within 20 s: ${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test S3 server exited (code ${code}) before it was ready: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let said: { port?: number; request?: string };
      try {
        said = JSON.parse(line) as typeof said;
      } catch {
        said = {};
      }
      if (said.request) requests.push(said.request);
      else if (said.port) {
        clearTimeout(timer);
        resolve(said.port);
      }
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey,
    region: 'us-east-1',
    directory,
    requests: () => [...requests],
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
