#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { InvalidRunbookError, LifeboatError, messageOf } from '../errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { redactText } from '../log.js';
import { globals } from './global-options.js';
import { flushStdout, writeErr, writeOut } from './output.js';
import { guardStdio, releaseHungUpTerminal } from './stdio-guard.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Builds the command tree; each action resolves to an exit code. Commands load lazily. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('lifeboat')
    .description('Disaster-recovery drills and failovers from declarative runbooks, with measured RTO and RPO.')
    .version(version, '-V, --version')
    .option('--state-dir <dir>', 'where history, journals and reports live (env LIFEBOAT_HOME)', undefined)
    .option('--log-level <level>', 'pino log level: fatal, error, warn, info, debug, trace (env LIFEBOAT_LOG_LEVEL)')
    .option('--log-file <file>', 'write JSON logs to this file instead of stderr')
    .option('--profile <name>', 'AWS profile of the standard credential chain (overrides AWS_PROFILE)')
    .option('--region <region>', 'AWS region (overrides AWS_REGION; a resource\'s own region wins)')
    .showHelpAfterError('(run lifeboat --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut, writeErr });

  program
    .command('validate')
    .description('check runbooks; report every problem as file:line:col: path: message (exit 0 valid, 2 invalid)')
    .argument('<file...>', 'runbook files (YAML or JSON)')
    .option('--json', 'print results as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { validateCommand } = await import('./commands/validate-command.js');
      setExit(await validateCommand(files, opts));
    });

  program
    .command('plan')
    .description('print the phases and steps a run would execute, in order, marking mutating steps; calls nothing')
    .argument('<runbook>', 'runbook file')
    .addOption(new Option('--mode <mode>', 'drill or failover').choices(['drill', 'failover']).default('drill'))
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, opts: { mode: 'drill' | 'failover'; json?: boolean }) => {
      const { planCommand } = await import('./commands/plan-command.js');
      setExit(await planCommand(file, opts));
    });

  program
    .command('schema')
    .description('print the JSON Schema of runbooks (for editors: # yaml-language-server: $schema=...)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema-command.js');
      setExit(await schemaCommand());
    });

  program
    .command('drill')
    .description('run a drill: lab up, steady state, fault, failover, measure RTO/RPO, failback, lab down, report (exit 0 met, 1 missed, 3 incomplete)')
    .argument('<runbook>', 'runbook file')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write report.json and report.md to this directory')
    .option('--dry-run', 'preflight (read-only calls) and plan only: no lab, no probe, no step, no mutating call (exit 0 preflight passed, 3 not)')
    .option('--allow-untagged', 'a fault may touch the resources the runbook lists in safety.allowUntagged even without the allow tag')
    .action(async (file: string, opts: { json?: boolean; out?: string; dryRun?: boolean; allowUntagged?: boolean }, cmd: Command) => {
      const { drillCommand } = await import('./commands/drill-command.js');
      setExit(await drillCommand(file, opts, globals(cmd)));
    });

  program
    .command('resume')
    .description('continue a run whose process died, from its journal, without repeating completed steps')
    .argument('<run-id>', 'id of the run (see lifeboat history)')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write report.json and report.md to this directory')
    .action(async (runId: string, opts: { json?: boolean; out?: string }, cmd: Command) => {
      const { resumeCommand } = await import('./commands/resume-command.js');
      setExit(await resumeCommand(runId, opts, globals(cmd)));
    });

  program
    .command('history')
    .description('list recorded runs, newest first')
    .option('--json', 'print as JSON')
    .option('--runbook <name>', 'only runs of this runbook')
    .option('--limit <n>', 'at most this many runs', '20')
    .action(async (opts: { json?: boolean; runbook?: string; limit: string }, cmd: Command) => {
      const { historyCommand } = await import('./commands/history-command.js');
      setExit(await historyCommand(opts, globals(cmd)));
    });

  program
    .command('iam-policy')
    .description('print the least-privilege IAM policy (JSON) a runbook needs: preflight, probes and each step, from their declared permissions; calls nothing')
    .argument('<runbook>', 'runbook file')
    .action(async (file: string) => {
      const { iamPolicyCommand } = await import('./commands/iam-policy-command.js');
      setExit(await iamPolicyCommand(file));
    });

  const lab = program.command('lab').description('manage the labs runs leave behind');
  lab
    .command('prune')
    .description('remove the labs of runs that died and were never resumed, with their locks; mark them aborted (exit 0, also when there is nothing to prune)')
    .option('--json', 'print what was pruned as JSON')
    .option('--dry-run', 'only list what would be pruned; remove nothing')
    .action(async (opts: { json?: boolean; dryRun?: boolean }, cmd: Command) => {
      const { labPruneCommand } = await import('./commands/lab-prune-command.js');
      setExit(await labPruneCommand(opts, globals(cmd)));
    });

  return program;
}

/** Parses argv, runs the command, and maps every error to an exit code — the only exit path. */
export async function main(argv: string[]): Promise<number> {
  guardStdio();
  let code: number = EXIT.OK;
  const program = buildProgram((c) => (code = c));
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.INVALID;
  }
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.INVALID;
    }
    if (err instanceof InvalidRunbookError) {
      writeErr(`${err.message}\n`);
      return EXIT.INVALID;
    }
    if (err instanceof LifeboatError) {
      writeErr(`lifeboat: ${redactText(err.message)}\n`);
      return exitCodeFor(err);
    }
    writeErr(`lifeboat: internal error: ${redactText(messageOf(err))}\n`);
    if (process.env.LIFEBOAT_DEBUG && err instanceof Error) writeErr(`${err.stack}\n`);
    return EXIT.INCOMPLETE;
  }
}

const code = await main(process.argv);
await flushStdout();
releaseHungUpTerminal();
process.exit(code);
