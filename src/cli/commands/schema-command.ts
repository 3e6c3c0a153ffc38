import { runbookJsonSchema } from '../../runbook/json-schema.js';
import { EXIT } from '../exit-codes.js';
import { outJson } from '../output.js';
import { defaultRegistry } from '../default-registry.js';

/** `lifeboat schema`: the JSON Schema of runbooks. */
export async function schemaCommand(): Promise<number> {
  outJson(runbookJsonSchema(defaultRegistry()));
  return EXIT.OK;
}
