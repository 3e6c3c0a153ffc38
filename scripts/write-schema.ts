// Writes schema/runbook.schema.json from the zod schemas (`npm run schema`); a test keeps it current.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runbookJsonSchema } from '../src/runbook/json-schema.js';
import { BackupPolicySchema } from '../src/backups/policy-schema.js';
import { defaultRegistry } from '../src/cli/default-registry.js';

const file = resolve(dirname(fileURLToPath(import.meta.url)), '../schema/runbook.schema.json');
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(runbookJsonSchema(defaultRegistry(), { BackupPolicy: BackupPolicySchema }), null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
