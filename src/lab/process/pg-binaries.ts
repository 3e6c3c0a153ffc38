import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InfrastructureError } from '../../errors.js';

/** Absolute paths of the PostgreSQL server programs the process lab runs. */
export interface PgBinaries {
  /** Directory holding the programs. */
  dir: string;
  postgres: string;
  initdb: string;
  pgBasebackup: string;
  pgRewind: string;
}

const PROGRAMS = ['postgres', 'initdb', 'pg_basebackup', 'pg_rewind'] as const;
const DEBIAN_ROOT = '/usr/lib/postgresql';

const INSTALL_HINT =
  'install PostgreSQL server binaries (`apt-get install -y postgresql`) ' +
  'or set LIFEBOAT_PG_BIN to the directory holding postgres, initdb, pg_basebackup and pg_rewind';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function missingIn(dir: string): string[] {
  return PROGRAMS.filter((p) => !isExecutable(join(dir, p)));
}

function binariesIn(dir: string): PgBinaries {
  return {
    dir,
    postgres: join(dir, 'postgres'),
    initdb: join(dir, 'initdb'),
    pgBasebackup: join(dir, 'pg_basebackup'),
    pgRewind: join(dir, 'pg_rewind'),
  };
}

/**
 * Locates the server binaries: `LIFEBOAT_PG_BIN` when set, else the highest
 * `/usr/lib/postgresql/<version>/bin` that holds every program the lab needs.
 */
export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries {
  const fromEnv = env['LIFEBOAT_PG_BIN'];
  if (fromEnv) {
    const missing = missingIn(fromEnv);
    if (missing.length > 0) {
      throw new InfrastructureError(
        `LIFEBOAT_PG_BIN=${fromEnv} lacks ${missing.join(', ')}: ${INSTALL_HINT}`,
      );
    }
    return binariesIn(fromEnv);
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_ROOT);
  } catch {
    // No Debian-style install at all; reported below.
  }
  const candidates = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(DEBIAN_ROOT, v, 'bin'));
  const found = candidates.find((dir) => missingIn(dir).length === 0);
  if (!found) {
    throw new InfrastructureError(`PostgreSQL server binaries not found in ${DEBIAN_ROOT}/*/bin: ${INSTALL_HINT}`);
  }
  return binariesIn(found);
}
