import type { Command } from 'commander';

/** Options every command shares. */
export interface GlobalOptions {
  stateDir: string;
  logLevel?: string;
  logFile?: string;
  /** `--profile`: AWS profile (overrides AWS_PROFILE). */
  profile?: string;
  /** `--region`: AWS region (overrides AWS_REGION; a resource's own region wins). */
  region?: string;
}

/** Reads the global options of a command, with their environment defaults. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { stateDir?: string; logLevel?: string; logFile?: string; profile?: string; region?: string };
  return {
    stateDir: o.stateDir ?? process.env.LIFEBOAT_HOME ?? '.lifeboat',
    logLevel: o.logLevel,
    logFile: o.logFile,
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.region !== undefined ? { region: o.region } : {}),
  };
}
