import type { HistoryStore, OpenStoreOptions } from './history-store.js';
import { InvalidInputError } from '../errors.js';

/**
 * Opens the run history: a shared PostgreSQL when `options.store` is a `postgres://` URL, else
 * the state directory's SQLite file (`<stateDir>/history.db`).
 */
export async function openStore(options: OpenStoreOptions): Promise<HistoryStore> {
  if (options.store !== undefined) {
    // Loaded here so that commands with a local history never load pg.
    const { describeStoreUrl, isPostgresStore, openPostgresStore } = await import('./postgres-history-store.js');
    if (!isPostgresStore(options.store))
      throw new InvalidInputError(`--store (or LIFEBOAT_STORE) must be a postgres:// or postgresql:// URL, got ${describeStoreUrl(options.store)}`);
    return openPostgresStore({ ...options, store: options.store });
  }
  // Loaded here so that commands that never open the history never load the native SQLite module.
  const { openSqliteStore } = await import('./sqlite-history-store.js');
  return openSqliteStore(options);
}
