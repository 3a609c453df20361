#!/usr/bin/env node
// The `peel` command. Node (>= 22.18) runs the TypeScript sources directly.

// `peel serve` runs with a young generation of SERVE_SEMI_SPACE_MB per semi-space. On a
// machine with a lot of memory V8 picks 32 MB (64 MB in all), and a server that has run for
// a while keeps every page of it resident; 8 MB keeps the server's memory about 40 MB lower
// for a small cost in collections. The heap is sized when the process starts, so the
// command starts itself again, in place (same process id), with the flag; it does not when
// the flag is already given (on the command line or in NODE_OPTIONS) or cannot be.
const SERVE_SEMI_SPACE_MB = 8;
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size'));
if (process.argv[2] === 'serve' && !given && typeof process.execve === 'function' && process.platform !== 'win32') {
  try {
    process.execve(process.execPath, [process.execPath, `--max-semi-space-size=${SERVE_SEMI_SPACE_MB}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    // Carry on with V8's default sizes.
  }
}

// Node's on-disk compile cache (in the system's temporary folder, or NODE_COMPILE_CACHE; off
// with NODE_DISABLE_COMPILE_CACHE=1) keeps the compiled code of the sources and dependencies
// between runs, so a command does not compile the platform afresh each time it starts.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();

const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
