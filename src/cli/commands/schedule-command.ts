import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { formatProblem, InvalidInputError } from '../../errors.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, writeErr } from '../output.js';
import { DEFAULT_RUNBOOK_DIR, loadRunbookDir } from '../runbook-dir.js';
import { scheduleEntries, type ScheduleFormat } from '../schedule-entries.js';

export interface ScheduleOptions {
  format: ScheduleFormat;
  /** How cron/systemd start Lifeboat (split on spaces); default: this node and this package's dist/cli/main.js. */
  command?: string;
  image?: string;
}

// src/cli/commands or dist/cli/commands: the package root is three folders up either way.
const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..');

/**
 * `lifeboat schedule [dir] --format crontab|systemd|k8s`: entries that drill each scheduled
 * runbook of the directory on its schedule. Prints nothing and exits 2 if a runbook is invalid
 * (a partial crontab piped into `crontab -` would silently drop drills).
 */
export async function scheduleCommand(dir: string | undefined, opts: ScheduleOptions, g: GlobalOptions): Promise<number> {
  const found = await loadRunbookDir(dir ?? DEFAULT_RUNBOOK_DIR, defaultRegistry());
  if (found.invalid.length) {
    for (const i of found.invalid) for (const p of i.problems) writeErr(`${formatProblem(p)}\n`);
    return EXIT.INVALID;
  }
  const command = opts.command?.trim() ? opts.command.trim().split(/\s+/) : [process.execPath, join(PACKAGE_ROOT, 'dist', 'cli', 'main.js')];
  if (opts.command !== undefined && !command[0]!.startsWith('/'))
    throw new InvalidInputError(`--command must start with an absolute path (cron and systemd have almost no PATH), got "${opts.command}"`);
  if (command.some((a) => /^(npx|npm)$/.test(a.split('/').pop()!)))
    throw new InvalidInputError('--command must start Lifeboat itself (node dist/cli/main.js or the lifeboat bin), not npx or npm: their exit code is not Lifeboat\'s');
  const { version } = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'package.json')) as { version: string };
  const scheduled = found.runbooks.filter((r) => r.runbook.schedule !== undefined);
  for (const r of found.runbooks) if (r.runbook.schedule === undefined) writeErr(`lifeboat: ${r.file}: no schedule; not scheduled\n`);
  const text = scheduleEntries(
    opts.format,
    scheduled.map((r) => ({ name: r.runbook.name, schedule: r.runbook.schedule!, file: resolve(r.file) })),
    { command, stateDir: resolve(g.stateDir), image: opts.image ?? `lifeboat/lifeboat:${version}` },
  );
  out(text.replace(/\n$/, ''));
  return EXIT.OK;
}
