import { iamPolicyOf } from '../../engine/iam-policy.js';
import { loadRunbook } from '../../runbook/load.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import { outJson } from '../output.js';

/** `lifeboat iam-policy <runbook>`: the least-privilege IAM policy the runbook needs; loads no SDK. */
export async function iamPolicyCommand(file: string): Promise<number> {
  const registry = defaultRegistry();
  const { runbook } = await loadRunbook(file, registry);
  outJson(iamPolicyOf(runbook, registry));
  return EXIT.OK;
}
