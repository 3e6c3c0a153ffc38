import { awsProvider } from './aws/aws-resources.js';
import { genericProvider } from './generic/generic-provider.js';
import { labProvider } from './lab/lab-actions.js';
import { postgresProvider } from './postgres/postgres-provider.js';
import { createRegistry, type Registry } from './registry.js';

let cached: Registry | undefined;

/** The registry of every built-in provider. */
export function defaultRegistry(): Registry {
  return (cached ??= createRegistry([genericProvider, labProvider, postgresProvider, awsProvider]));
}
