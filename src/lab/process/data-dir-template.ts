import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publishAtomically, templateCacheDir, templateKey } from '../template-cache.js';
import type { PgBinaries } from './pg-binaries.js';
import { runTool, type RunAs } from './run-as.js';

const run = promisify(execFile);

/** initdb's arguments besides `-D`: data checksums (pg_rewind needs them or wal_log_hints), trust, C locale. */
export const INITDB_ARGS: readonly string[] = ['-k', '--auth=trust', '-N', '-U', 'postgres', '--encoding=UTF8', '--locale=C'];

/** A fresh primary's data directory kept between labs: copy it into a new lab, or keep one initdb made. */
export interface ProcessDataDirTemplate {
  /** Where the template lives (it may not exist yet). */
  readonly path: string;
  /** Copies the template to `dataDir` (which must not exist), owner and modes kept; false when there is none. */
  restore(dataDir: string): Promise<boolean>;
  /** Keeps a copy of `dataDir`, fresh from initdb and never started, as the template (atomically). */
  save(dataDir: string): Promise<void>;
}

/** What a process template depends on: a different server version, initdb call or owner makes another one. */
export interface ProcessTemplateKey {
  /** `postgres --version` of the binaries. */
  version: string;
  /** The binaries' directory and their build (size and mtime of `postgres`): a package upgrade changes them. */
  bins: string;
  build: string;
  initdbArgs: readonly string[];
  /** The data directory's owner: the run-as user. */
  owner: string;
}

/** The template's directory name for a key. */
export function processTemplateName(key: ProcessTemplateKey): string {
  return `process-${templateKey(key)}`;
}

const versions = new Map<string, Promise<string>>();

/** `postgres --version`, once per binaries' build in this process. */
async function serverVersion(bins: PgBinaries, runAs: RunAs, build: string): Promise<string> {
  const id = `${bins.postgres}@${build}`;
  let version = versions.get(id);
  if (!version) {
    version = runTool(runAs, bins.postgres, ['--version'], { cwd: '/' }).then((r) => {
      if (r.code !== 0) throw new Error(`${bins.postgres} --version failed: ${r.stderr.trim()}`);
      return r.stdout.trim();
    });
    versions.set(id, version);
    version.catch(() => versions.delete(id));
  }
  return version;
}

/**
 * The template for these binaries and initdb arguments, in the shared template cache
 * (`templateCacheDir()`). Copies are made with `cp -a` as Lifeboat's own user: the template keeps
 * the run-as user's ownership (we may be root, the cache in root's home), and so does every copy.
 */
export async function processDataDirTemplate(
  bins: PgBinaries,
  runAs: RunAs,
  options: { initdbArgs?: readonly string[]; cacheDir?: string } = {},
): Promise<ProcessDataDirTemplate> {
  const binary = await stat(bins.postgres);
  const build = `${binary.size}-${Math.trunc(binary.mtimeMs)}`;
  const key: ProcessTemplateKey = {
    version: await serverVersion(bins, runAs, build),
    bins: bins.dir,
    build,
    initdbArgs: options.initdbArgs ?? INITDB_ARGS,
    owner: `${runAs.user}:${runAs.uid ?? ''}:${runAs.gid ?? ''}`,
  };
  const path = join(options.cacheDir ?? templateCacheDir(), processTemplateName(key));
  return {
    path,
    async restore(dataDir) {
      try {
        await stat(join(path, 'global', 'pg_control'));
      } catch {
        return false;
      }
      await run('cp', ['-a', '--', path, dataDir]);
      return true;
    },
    async save(dataDir) {
      await publishAtomically(path, (tmp) => run('cp', ['-a', '--', dataDir, tmp]).then(() => {}));
    },
  };
}
