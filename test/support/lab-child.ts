// Starts a primary + replica process lab, prints its state as one JSON line and waits to be killed:
// the parent test SIGKILLs this process to leave postmasters that are no longer anyone's children.
import { startProcessLab } from '../../src/lab/process/process-lab.js';

const lab = await startProcessLab({
  primary: { kind: 'postgres' },
  replica: { kind: 'postgres', replicaOf: 'primary' },
});
process.stdout.write(`${JSON.stringify(lab.state())}\n`);
setInterval(() => {}, 60_000);
