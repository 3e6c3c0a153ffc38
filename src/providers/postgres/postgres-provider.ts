import { writeProbe } from '../../probes/write-probe.js';
import type { Provider } from '../types.js';
import { PostgresResource } from './connect.js';
import { postgresActions } from './postgres-actions.js';
import { queryProbe } from './query-probe.js';

/** PostgreSQL: existing servers by DSN, promotion, SQL, WAL hold-back, failback, probes. */
export const postgresProvider: Provider = {
  name: 'postgres',
  resourceTypes: [{ type: 'postgres', description: 'An existing PostgreSQL server given by DSN or host list (not started by the lab).', fields: PostgresResource }],
  actions: postgresActions,
  probes: [writeProbe, queryProbe],
};
