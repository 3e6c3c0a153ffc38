import { messageOf } from '../../errors.js';
import { describeConfig, query, withClient } from '../../util/pg-client.js';
import type { PreflightProblem, Provider } from '../types.js';
import { backupActions, openPostgresSession } from './backup-actions.js';
import { PostgresResource, postgresResourceConfigs } from './connect.js';
import { postgresActions } from './postgres-actions.js';
import { postgresHeartbeat } from './heartbeat-table.js';
import { queryProbe } from './query-probe.js';
import { writeProbe } from './write-probe.js';

/** How long each host of a `postgres` resource gets to answer the preflight. */
const PREFLIGHT_TIMEOUT_MS = 5_000;

/** PostgreSQL: existing servers by DSN, promotion, SQL, WAL hold-back, failback, backup and restore, probes. */
export const postgresProvider: Provider = {
  name: 'postgres',
  resourceTypes: [
    {
      type: 'postgres',
      description: 'An existing PostgreSQL server given by DSN or host list (not started by the lab).',
      fields: PostgresResource,
      postgres: postgresResourceConfigs,
      heartbeat: postgresHeartbeat,
    },
  ],
  actions: [...postgresActions, ...backupActions],
  probes: [writeProbe, queryProbe],
  open: openPostgresSession,
  /** Each `postgres` resource must answer `select 1` on at least one of its hosts. */
  async preflight(resources, ctx) {
    const problems: PreflightProblem[] = [];
    await Promise.all(
      resources.map(async (ref) => {
        const errors: string[] = [];
        for (const cfg of postgresResourceConfigs(ref)) {
          try {
            await withClient(cfg, (c, s) => query(c, 'select 1', [], s), AbortSignal.any([ctx.signal, AbortSignal.timeout(PREFLIGHT_TIMEOUT_MS)]));
            return;
          } catch (err) {
            if (ctx.signal.aborted) throw ctx.signal.reason;
            errors.push(`${describeConfig(cfg)}: ${messageOf(err)}`);
          }
        }
        problems.push({ resource: ref.name, message: `does not answer: ${errors.join('; ')}` });
      }),
    );
    return problems;
  },
};
