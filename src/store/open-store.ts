import type { HistoryStore, OpenStoreOptions } from './history-store.js';

/** Opens the run history of a state directory (today: SQLite, `<stateDir>/history.db`). */
export async function openStore(options: OpenStoreOptions): Promise<HistoryStore> {
  // Loaded here so that commands that never open the history never load the native SQLite module.
  const { openSqliteStore } = await import('./sqlite-history-store.js');
  return openSqliteStore(options);
}
