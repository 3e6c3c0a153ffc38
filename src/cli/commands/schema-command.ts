import { runbookJsonSchema } from '../../runbook/json-schema.js';
import { EXIT } from '../exit-codes.js';
import { outJson } from '../output.js';

/** `lifeboat schema`: the JSON Schema of runbooks. */
export async function schemaCommand(): Promise<number> {
  outJson(runbookJsonSchema());
  return EXIT.OK;
}
