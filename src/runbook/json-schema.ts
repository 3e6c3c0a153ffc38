import { z } from 'zod';
import type { Registry } from '../providers/registry.js';
import { buildRunbookSchema } from './schema.js';

/** The JSON Schema of runbooks, generated from the same zod schema that validates them. */
export function runbookJsonSchema(registry: Registry): Record<string, unknown> {
  const schema = z.toJSONSchema(buildRunbookSchema(registry), { io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://lifeboat.dev/schema/runbook.schema.json', title: 'Lifeboat runbook' };
}
