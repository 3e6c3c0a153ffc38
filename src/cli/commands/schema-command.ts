import { BackupPolicySchema } from '../../backups/policy-schema.js';
import { runbookJsonSchema } from '../../runbook/json-schema.js';
import { EXIT } from '../exit-codes.js';
import { outJson } from '../output.js';
import { defaultRegistry } from '../default-registry.js';

/** `lifeboat schema`: the JSON Schema of runbooks and backup policies (branching on kind). */
export async function schemaCommand(): Promise<number> {
  outJson(runbookJsonSchema(defaultRegistry(), { BackupPolicy: BackupPolicySchema }));
  return EXIT.OK;
}
