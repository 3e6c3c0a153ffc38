import type { Command } from 'commander';

/** Options every command shares. */
export interface GlobalOptions {
  stateDir: string;
  logLevel?: string;
  logFile?: string;
}

/** Reads the global options of a command, with their environment defaults. */
export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { stateDir?: string; logLevel?: string; logFile?: string };
  return { stateDir: o.stateDir ?? process.env.LIFEBOAT_HOME ?? '.lifeboat', logLevel: o.logLevel, logFile: o.logFile };
}
