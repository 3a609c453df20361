import type { ImportProgress } from './pipeline.ts';

/**
 * A one-line progress bar on a terminal: share of the input read (bytes on disk), files
 * (of how many, unless archives hide the count) and rows so far. Redrawn at most ten times a second; cleared when the import ends.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ImportProgress {
  let totalBytes = 0;
  let totalFiles = 0;
  let knownFileCount = true;
  let bytes = 0;
  let files = 0;
  let rows = 0;
  let current = '';
  let last = 0;
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - last < 100) return;
    last = now;
    const share = totalBytes ? Math.min(1, bytes / totalBytes) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const fileText = knownFileCount ? `file ${files}/${totalFiles}` : `file ${files}`;
    const name = current.length > 40 ? `…${current.slice(-39)}` : current;
    const line = `${bar} ${String(Math.round(share * 100)).padStart(3)}%  ${fileText}  ${rows.toLocaleString('en-GB')} rows  ${name}`;
    stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 100) - 1))}`);
  };
  return {
    start(b, f) {
      totalBytes = b;
      totalFiles = f;
      knownFileCount = f > 0;
    },
    file(display) {
      files++;
      if (files > totalFiles) knownFileCount = false;
      current = display.split('/').pop() ?? display;
      draw();
    },
    bytes(n) {
      bytes += n;
      draw();
    },
    rows(n) {
      rows += n;
      draw();
    },
    finish() {
      stream.write('\r\x1b[K');
    },
  };
}
