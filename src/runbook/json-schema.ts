import { z } from 'zod';
import type { Registry } from '../providers/registry.js';
import { buildRunbookSchema } from './schema.js';

/**
 * The JSON Schema of Lifeboat's files, generated from the same zod schemas that validate them.
 * With `otherKinds` (e.g. `{ BackupPolicy: schema }`, passed in by whoever knows them), it branches
 * on `kind`: a file of one of those kinds is checked against its schema, anything else as a runbook.
 */
export function runbookJsonSchema(registry: Registry, otherKinds: Record<string, z.ZodType> = {}): Record<string, unknown> {
  const schema = z.toJSONSchema(buildRunbookSchema(registry), { io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  const id = 'https://lifeboat.dev/schema/runbook.schema.json';
  const kinds = Object.entries(otherKinds);
  if (!kinds.length) return { ...schema, $id: id, title: 'Lifeboat runbook' };
  const { $schema, $defs, ...runbook } = schema;
  const defs: Record<string, unknown> = { ...($defs as Record<string, unknown> | undefined), Runbook: { ...runbook, title: 'Lifeboat runbook' } };
  let branch: Record<string, unknown> = { $ref: '#/$defs/Runbook' };
  for (const [kind, kindSchema] of kinds.reverse()) {
    const { $schema: _, ...body } = z.toJSONSchema(kindSchema, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
    defs[kind] = body;
    branch = { if: { type: 'object', properties: { kind: { const: kind } }, required: ['kind'] }, then: { $ref: `#/$defs/${kind}` }, else: branch };
  }
  return {
    $schema,
    $id: id,
    title: 'Lifeboat runbook or backup policy',
    description: `Branches on kind: ${kinds.map(([k]) => k).join(', ')}, else a runbook (kind: Runbook).`,
    ...branch,
    $defs: defs,
  };
}
