import { z } from 'zod';
import type { Registry } from '../providers/registry.js';
import { Duration, ObjectiveDuration, StringMap } from '../util/duration.js';
import { Name, RetryPolicy } from './fields.js';
import { parseSchedule } from './schedule.js';

export { isSchedule, NAMED_SCHEDULES } from './schedule.js';

const stepCommon = {
  id: Name.describe('Unique step id (used in the journal, reports and `${steps.<id>.<field>}`).'),
  description: z.string().optional(),
  target: z.string().optional().describe('Name of the resource the step acts on.'),
  timeout: Duration.optional().describe('Abort the attempt after this long (default 5m).'),
  retry: RetryPolicy.optional(),
  onFailure: z.enum(['abort', 'continue']).default('abort').describe('abort: stop the phase (failback and teardown still run); continue: record and go on.'),
};

function actionStepSchemas(registry: Registry, withCompensate: boolean): z.ZodObject[] {
  const compensate = withCompensate
    ? { compensate: z.discriminatedUnion('action', actionStepSchemas(registry, false) as never).optional().describe('Step run, in reverse order, if a later step of the phase fails (saga).') }
    : {};
  return registry.actions().map((a) =>
    z
      .strictObject({
        ...stepCommon,
        action: z.literal(a.name).describe(a.description),
        ...a.params.shape,
        ...compensate,
      })
      .describe(`${a.name}: ${a.description}`),
  );
}

/** Builds the whole runbook schema from the actions, probes and resource types of a registry. */
export function buildRunbookSchema(registry: Registry) {
  const actionStep = z.discriminatedUnion('action', actionStepSchemas(registry, true) as never);
  const parallelGroup = z
    .strictObject({
      id: Name.optional(),
      description: z.string().optional(),
      parallel: z.array(actionStep).min(1).describe('Steps started together; the group ends when all have ended.'),
    })
    .describe('A group of steps run in parallel.');
  const phase = z.array(z.union([parallelGroup, actionStep])).default([]);

  const resource = z.discriminatedUnion(
    'type',
    registry.resourceTypes().map((r) =>
      z.strictObject({ type: z.literal(r.type).describe(r.description), description: z.string().optional(), ...r.fields.shape }),
    ) as never,
  );

  const probe = z.discriminatedUnion(
    'type',
    registry.probes().map((p) =>
      z.strictObject({
        type: z.literal(p.type).describe(p.description),
        description: z.string().optional(),
        interval: Duration.default('100ms').describe('Time between checks.'),
        timeout: Duration.default('1s').describe('Each check is abandoned after this long (a paused server hangs, not fails).'),
        ...(p.targets === 'target' ? { target: z.string().optional().describe('Resource to check.') } : {}),
        ...(p.targets === 'endpoints' ? { endpoints: z.array(z.string()).min(1).describe('Resources to check; the probe follows whichever answers.') } : {}),
        ...p.params.shape,
      }),
    ) as never,
  );

  const labService = z.strictObject({
    kind: z.literal('postgres').describe('Only PostgreSQL for now.'),
    replicaOf: Name.optional().describe('Lab service this one streams from.'),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Server settings passed as -c name=value.'),
    empty: z.boolean().optional().describe('Not started at lab up: no data until a restore fills it (postgres.restore). The target of restore drills.'),
  });

  return z
    .strictObject({
      $schema: z.string().optional(),
      apiVersion: z.literal('lifeboat/v1').describe('Always lifeboat/v1.'),
      kind: z.literal('Runbook'),
      name: Name.describe('Runbook name (used for locks and history).'),
      description: z.string().optional(),
      owner: z.string().optional().describe('Team or person who owns the service.'),
      labels: StringMap.optional(),
      schedule: z
        .string()
        .superRefine((text, ctx) => {
          try {
            parseSchedule(text);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        })
        .optional()
        .describe('How often the drill must run, in UTC: hourly, daily (03:00), weekly (Monday 03:00), monthly (the 1st, 03:00), quarterly (1 Jan/Apr/Jul/Oct, 03:00), yearly (1 Jan, 03:00), or a 5-field cron expression.'),
      objectives: z
        .strictObject({
          rto: ObjectiveDuration.optional().describe('Recovery time objective.'),
          rpo: ObjectiveDuration.optional().describe('Recovery point objective (data loss).'),
        })
        .describe('What the drill is judged against.'),
      lab: z
        .strictObject({
          driver: z.enum(['process', 'docker']).default('process'),
          image: z.string().min(1).optional().describe('docker driver: the image services run in (default lifeboat/postgres-lab:15); any image with the PostgreSQL server binaries.'),
          pgBin: z.string().min(1).optional().describe('docker driver: the directory of the server binaries in the image, when they are not on its PATH or under /usr/lib/postgresql/*/bin.'),
          services: z.record(Name, labService),
        })
        .optional()
        .describe('Local environment the drill starts before and removes after.'),
      resources: z.record(Name, resource).default({}).describe('Named handles on real things.'),
      probes: z.record(Name, probe).default({}).describe('Checks that run continuously during the drill.'),
      steadyState: z
        .strictObject({
          timeout: Duration.default('30s').describe('How long to wait for steady state before giving up (exit 3).'),
          stableFor: Duration.default('1s').describe('Every recovery probe healthy, and every writes probe acknowledging writes, continuously for this long before the fault.'),
        })
        .optional(),
      recovery: z
        .strictObject({
          all: z.array(z.string()).min(1).describe('Probes that must all succeed.'),
          stableFor: Duration.default('0s').describe('…continuously for this long.'),
          timeout: Duration.default('5m').describe('Give up waiting for recovery after this long.'),
        })
        .optional(),
      stopWhen: z
        .array(z.string())
        .optional()
        .describe('Stop conditions: probes whose failure during the fault or failover phase stops the run (current step cancelled, failback runs, status stopped, exit 3).'),
      heartbeat: z
        .strictObject({
          target: z.string().describe('postgres or aws.s3.bucket resource the heartbeat writes to (`lifeboat heartbeat`).'),
          interval: Duration.default('1s'),
          table: z.string().default('lifeboat_heartbeat').describe('PostgreSQL target: the table of beats (created if missing).'),
          prefix: z.string().default('lifeboat-heartbeat/').describe('S3 target: key prefix of beats (the runbook name is appended).'),
          retention: Duration.default('1h').describe('Beats older than this are deleted from the target; a failover reads the beats of the last half of it.'),
        })
        .optional()
        .describe('Heartbeat writer used to measure RPO of a real failover.'),
      backups: z
        .unknown()
        .refine(() => false, {
          message: 'backup policies are no longer part of a runbook: move them to a file of kind: BackupPolicy and run `lifeboat backups check <policy>` (README: Backup policies)',
        })
        .optional()
        .describe('Removed: backup policies are files of kind: BackupPolicy.'),
      safety: z
        .strictObject({
          allowUntagged: z.array(Name).default([]).describe('Resources a fault may touch without the allow tag — only when the command line says --allow-untagged too.'),
          allowTag: z
            .string()
            .regex(/^[^=]+=.*$/, { message: 'expected key=value, e.g. lifeboat:drill=allowed' })
            .default('lifeboat:drill=allowed')
            .describe('The tag (key=value) a cloud resource must carry before a fault may touch it.'),
        })
        .optional()
        .describe('Blast-radius guard for cloud faults.'),
      fault: phase.describe('Drill mode only: how the outage is simulated.'),
      failover: phase.describe('Steps that restore service (both modes). May be empty for self-healing systems.'),
      failback: phase.describe('Drill mode: restore the normal topology afterwards.'),
    })
    .describe('A Lifeboat runbook.');
}

export type RunbookSchema = ReturnType<typeof buildRunbookSchema>;
