import { builtInLabDrivers } from '../lab/drivers.js';
import { awsProvider } from '../providers/aws/aws-provider.js';
import { genericProvider } from '../providers/generic/generic-provider.js';
import { labProvider } from '../providers/lab/lab-actions.js';
import { postgresProvider } from '../providers/postgres/postgres-provider.js';
import { createRegistry, type Registry } from '../providers/registry.js';

let cached: Registry | undefined;

/**
 * The registry of every built-in provider and lab driver: the one place that lists them. A new
 * provider needs an entry here and nothing outside its own folder.
 */
export function defaultRegistry(): Registry {
  return (cached ??= createRegistry([genericProvider, labProvider, postgresProvider, awsProvider], builtInLabDrivers));
}
