// Loaded with `node --import` before the CLI: at exit, prints the CommonJS packages the process
// loaded (pg and better-sqlite3 are CommonJS), so a test can tell which commands load what.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (m) packages.add(m[1]);
  }
  process.stderr.write(`\nLOADED-PACKAGES ${JSON.stringify([...packages].sort())}\n`);
});
