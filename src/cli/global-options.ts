import type { Command } from 'commander';

/** Options every command shares. */
export interface GlobalOptions {
  stateDir: string;
  logLevel?: string;
  logFile?: string;
  /** A shared history (`postgres://…`) instead of `<stateDir>/history.db` (env LIFEBOAT_STORE). */
  store?: string;
  /** `--profile`: AWS profile (overrides AWS_PROFILE). */
  profile?: string;
  /** `--region`: AWS region (overrides AWS_REGION; a resource's own region wins). */
  region?: string;
}

/** Reads the global options of a command, with their environment defaults. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { stateDir?: string; logLevel?: string; logFile?: string; store?: string; profile?: string; region?: string };
  const store = o.store ?? (process.env.LIFEBOAT_STORE || undefined);
  return {
    stateDir: o.stateDir ?? process.env.LIFEBOAT_HOME ?? '.lifeboat',
    logLevel: o.logLevel,
    logFile: o.logFile,
    ...(store ? { store } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.region !== undefined ? { region: o.region } : {}),
  };
}
