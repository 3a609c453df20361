#!/usr/bin/env node
// The `peel` command. Node (>= 22.18) runs the TypeScript sources directly.
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
