/** Server settings every lab driver gives its PostgreSQL services (a service's own settings win). */
export const LAB_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: 'replica',
  max_wal_senders: '10',
  wal_keep_size: '256MB',
  hot_standby: 'on',
  // The default 5 s makes a promoted replica stall now and then before accepting writes.
  wal_retrieve_retry_interval: '100ms',
  // pg_basebackup and pg_rewind run with --no-sync; after them the default startup fsyncs every
  // file of the data directory one by one (~0.5 s here). syncfs flushes the filesystem at once.
  recovery_init_sync_method: 'syncfs',
};

/** `-c name=value` arguments: the lab defaults, the service's settings, then the driver's own (port, addresses). */
export function serverSettingArgs(name: string, settings: Record<string, string | number | boolean>, own: Record<string, string>): string[] {
  const all: Record<string, string> = { cluster_name: name, ...LAB_SERVER_SETTINGS };
  for (const [k, v] of Object.entries(settings)) all[k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
  Object.assign(all, own);
  return Object.entries(all).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}
