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
    .option('--store <url>', 'keep the run history in a shared PostgreSQL (postgres://user:password@host/db) instead of the state directory (env LIFEBOAT_STORE)')
    .option('--profile <name>', 'AWS profile of the standard credential chain (overrides AWS_PROFILE)')
    .option('--region <region>', 'AWS region (overrides AWS_REGION; a resource\'s own region wins)')
    .showHelpAfterError('(run lifeboat --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut, writeErr });

  program
    .command('validate')
    .description('check runbooks; report every problem as file:line:col: path: message (exit 0 valid, 2 invalid)')
    .argument('<file...>', 'runbook or backup policy files (YAML or JSON; kind: Runbook or BackupPolicy)')
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
    .option('--out <dir>', 'also write the reports (report.json, .md, .html, .junit.xml, .prom) to this directory')
    .option('--notify <url>', 'when the run ends, POST its result as JSON to this webhook (Slack-compatible text field); a failure only warns')
    .option('--notify-timeout <duration>', 'how long the webhook may take to answer (default 10s)')
    .option('--dry-run', 'preflight (read-only calls) and plan only: no lab, no probe, no step, no mutating call (exit 0 preflight passed, 3 not)')
    .option('--allow-untagged', 'a fault may touch the resources the runbook lists in safety.allowUntagged even without the allow tag')
    .action(async (file: string, opts: { json?: boolean; out?: string; notify?: string; notifyTimeout?: string; dryRun?: boolean; allowUntagged?: boolean }, cmd: Command) => {
      const { drillCommand } = await import('./commands/drill-command.js');
      setExit(await drillCommand(file, opts, globals(cmd)));
    });

  program
    .command('resume')
    .description('continue a run whose process died, from its journal, without repeating completed steps')
    .argument('<run-id>', 'id of the run (see lifeboat history)')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write the reports (report.json, .md, .html, .junit.xml, .prom) to this directory')
    .option('--notify <url>', 'when the run ends, POST its result as JSON to this webhook (Slack-compatible text field); a failure only warns')
    .option('--notify-timeout <duration>', 'how long the webhook may take to answer (default 10s)')
    .action(async (runId: string, opts: { json?: boolean; out?: string; notify?: string; notifyTimeout?: string }, cmd: Command) => {
      const { resumeCommand } = await import('./commands/resume-command.js');
      setExit(await resumeCommand(runId, opts, globals(cmd)));
    });

  program
    .command('failover')
    .description('a real failover: shows the plan, asks to type the runbook name (unless --yes), runs the failover steps (no fault), measures RTO from the incident start, records, reports (exit 0 met, 1 missed, 2 refused, 3 incomplete)')
    .argument('<runbook>', 'runbook file')
    .option('--yes', 'do not ask for confirmation (automation); without it and without a terminal the failover is refused (exit 2)')
    .option('--incident-start <time>', 'when the incident began (ISO 8601 with a zone, not in the future): t0 of the RTO; default the command\'s start')
    .option('--dry-run', 'plan and read-only preflight only; change nothing, record nothing')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write the reports (report.json, .md, .html, .junit.xml, .prom) to this directory')
    .option('--notify <url>', 'when the run ends, POST its result as JSON to this webhook (Slack-compatible text field); a failure only warns')
    .option('--notify-timeout <duration>', 'how long the webhook may take to answer (default 10s)')
    .action(async (file: string, opts: { yes?: boolean; incidentStart?: string; dryRun?: boolean; json?: boolean; out?: string; notify?: string; notifyTimeout?: string }, cmd: Command) => {
      const { failoverCommand } = await import('./commands/failover-command.js');
      setExit(await failoverCommand(file, opts, globals(cmd)));
    });

  program
    .command('approve')
    .description('confirm a manual step of a waiting run, from any shell (exit 0, also when already approved; 2 no such run or manual step)')
    .argument('<run-id>', 'id of the run (printed when it starts; see lifeboat history)')
    .argument('<step-id>', 'id of the manual step')
    .option('--json', 'print the approval as JSON')
    .action(async (runId: string, stepId: string, opts: { json?: boolean }, cmd: Command) => {
      const { approveCommand } = await import('./commands/approve-command.js');
      setExit(await approveCommand(runId, stepId, opts, globals(cmd)));
    });

  program
    .command('heartbeat')
    .description("keep the runbook's heartbeat marker fresh on its target (a PostgreSQL table or S3 objects) and record each acknowledged beat locally; a later failover measures its RPO from them (runs until Ctrl-C/SIGTERM; exit 0)")
    .argument('<runbook>', 'runbook file with a heartbeat: section')
    .option('--count <n>', 'stop after n beats')
    .option('--json', 'print a summary as JSON at the end')
    .action(async (file: string, opts: { count?: string; json?: boolean }, cmd: Command) => {
      const { heartbeatCommand } = await import('./commands/heartbeat-command.js');
      setExit(await heartbeatCommand(file, opts, globals(cmd)));
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
    .command('report')
    .description('print the report of a finished run to stdout (exit 2 for an unknown or unfinished run)')
    .argument('<run-id>', 'id of the run (see lifeboat history)')
    .addOption(new Option('--format <format>', 'json, md (the default), html (self-contained), junit (JUnit XML for CI) or prom (Prometheus text)').choices(['json', 'md', 'html', 'junit', 'prom']))
    .option('--json', 'the same as --format json')
    .action(async (runId: string, opts: { format?: string; json?: boolean }, cmd: Command) => {
      const { reportCommand } = await import('./commands/report-command.js');
      setExit(await reportCommand(runId, opts, globals(cmd)));
    });

  program
    .command('status')
    .description('every runbook of a directory with its schedule, last drill, verdict and next due date (exit 1 if any is overdue, 2 if a runbook is invalid)')
    .argument('[dir]', 'directory of runbooks', 'runbooks')
    .option('--json', 'print as JSON')
    .option('--at <time>', 'judge at this instant instead of now (ISO 8601, e.g. 2027-01-01T09:00:00Z)')
    .option('--grace <duration>', 'overdue only this long after the due date (e.g. 2h)', '0s')
    .action(async (dir: string, opts: { json?: boolean; at?: string; grace?: string }, cmd: Command) => {
      const { statusCommand } = await import('./commands/status-command.js');
      setExit(await statusCommand(dir, opts, globals(cmd)));
    });

  program
    .command('schedule')
    .description('print entries that drill each scheduled runbook of a directory on its schedule: crontab lines, systemd units or Kubernetes CronJobs')
    .argument('[dir]', 'directory of runbooks', 'runbooks')
    .addOption(new Option('--format <format>', 'crontab, systemd or k8s').choices(['crontab', 'systemd', 'k8s']).makeOptionMandatory())
    .option('--command <cmd>', 'crontab/systemd: how to start Lifeboat, an absolute path first (default: this node and dist/cli/main.js)')
    .option('--image <ref>', 'k8s: the Lifeboat image (default lifeboat/lifeboat:<version>, built by docker/)')
    .action(async (dir: string, opts: { format: 'crontab' | 'systemd' | 'k8s'; command?: string; image?: string }, cmd: Command) => {
      const { scheduleCommand } = await import('./commands/schedule-command.js');
      setExit(await scheduleCommand(dir, opts, globals(cmd)));
    });

  program
    .command('init')
    .description('write a runbook or policy from a template that validates as written; never overwrites a file (exit 2)')
    .argument('[file]', 'the file to write (default <template>.yaml); the runbook is named after it')
    .option('--template <name>', 'local-postgres, docker-postgres, aws-rds, aws-aurora, aws-ec2, aws-s3, backup-policy (see --list)', 'local-postgres')
    .option('--list', 'list the templates')
    .option('--json', 'print as JSON')
    .action(async (file: string | undefined, opts: { template: string; list?: boolean; json?: boolean }) => {
      const { initCommand } = await import('./commands/init-command.js');
      setExit(await initCommand(file, opts));
    });

  const backups = program.command('backups').description('3-2-1-1-0 backup compliance from kind: BackupPolicy files');
  backups
    .command('check')
    .description('list every source of each policy and judge its rules (exit 0 compliant, 1 not compliant, 2 invalid policy, 3 a source could not be read)')
    .argument('<policy...>', 'backup policy files (kind: BackupPolicy)')
    .option('--json', 'print the results as JSON')
    .option('--prom <file>', 'also write the results in Prometheus text format to this file (atomically, for the node_exporter textfile collector)')
    .option('--at <time>', 'judge ages and locks as of this ISO 8601 time (default now)')
    .action(async (files: string[], opts: { json?: boolean; prom?: string; at?: string }, cmd: Command) => {
      const { backupsCheckCommand } = await import('./commands/backups-command.js');
      setExit(await backupsCheckCommand(files, opts, globals(cmd)));
    });
  backups
    .command('explain')
    .description('print what a check would look at and every rule with its effective value; calls nothing')
    .argument('<policy>', 'backup policy file')
    .option('--json', 'print as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { backupsExplainCommand } = await import('./commands/backups-command.js');
      setExit(await backupsExplainCommand(file, opts));
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
