import { z } from 'zod';
import type { Registry } from '../providers/registry.js';
import { Duration, ObjectiveDuration, StringMap } from '../util/duration.js';
import { Name, RetryPolicy } from './fields.js';

/** Named schedules; anything else must be a 5-field cron expression. */
export const NAMED_SCHEDULES = ['hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$|^[A-Za-z]{3}(-[A-Za-z]{3})?$/;

/** Whether `s` is a named schedule or a plausible 5-field cron expression. */
export function isSchedule(s: string): boolean {
  if ((NAMED_SCHEDULES as readonly string[]).includes(s)) return true;
  const fields = s.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

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
  });

  const backupPolicy = z.strictObject({
    name: Name,
    resource: z.string().describe('Protected resource.'),
    sources: z
      .array(z.looseObject({ type: z.enum(['local', 'aws.s3', 'aws.ebs', 'aws.rds']) }))
      .min(1)
      .describe('Where copies are found.'),
    rules: z
      .strictObject({
        copies: z.int().min(1).default(3),
        media: z.int().min(1).default(2),
        offsite: z.int().min(0).default(1),
        immutable: z.int().min(0).default(1),
        maxFailedRestores: z.int().min(0).default(0),
        maxAge: ObjectiveDuration.optional().describe('Newest copy must be younger (default: the RPO objective).'),
        restoreTestedWithin: ObjectiveDuration.optional(),
      })
      .default({ copies: 3, media: 2, offsite: 1, immutable: 1, maxFailedRestores: 0 }),
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
        .refine(isSchedule, { message: `expected ${NAMED_SCHEDULES.join(', ')} or a 5-field cron expression` })
        .optional()
        .describe('How often the drill must run: a name (quarterly, ...) or a cron expression.'),
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
      heartbeat: z
        .strictObject({
          target: z.string().describe('postgres resource the heartbeat writes to.'),
          interval: Duration.default('1s'),
          table: z.string().default('lifeboat_heartbeat'),
        })
        .optional()
        .describe('Heartbeat writer used to measure RPO of a real failover.'),
      backups: z.array(backupPolicy).optional().describe('3-2-1-1-0 backup policies.'),
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
