import { AbortedError, InvalidInputError } from '../../errors.js';
import { createLogger, redactText, registerSecrets } from '../../log.js';
import { runHeartbeat } from '../../engine/heartbeat.js';
import { envRefs, referencedEnvValues, resolveRefs } from '../../engine/interpolate.js';
import type { ProviderContext } from '../../providers/types.js';
import { loadRunbook } from '../../runbook/load.js';
import { createClock } from '../../timeline/clock.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, outJson, writeErr } from '../output.js';

/**
 * `lifeboat heartbeat <runbook>`: keeps the runbook's heartbeat marker fresh on its target (a
 * PostgreSQL table or S3 objects) and records each acknowledged beat in the state directory, until
 * SIGINT/SIGTERM (or `--count` beats). A later `lifeboat failover` of the runbook measures its RPO
 * from these records. Exit 0 when stopped, 2 bad input, 3 when the local record cannot be written.
 */
export async function heartbeatCommand(file: string, opts: { count?: string; json?: boolean }, g: GlobalOptions): Promise<number> {
  const count = opts.count !== undefined ? Number(opts.count) : undefined;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new InvalidInputError(`--count ${opts.count}: expected a whole number ≥ 1`);
  const registry = defaultRegistry();
  const { runbook } = await loadRunbook(file, registry);
  if (!runbook.heartbeat) throw new InvalidInputError(`${file}: the runbook has no heartbeat: section (heartbeat: { target: <resource>, interval: 1s })`);
  const env = process.env;
  const missing = envRefs(runbook.resources).filter((n) => env[n] === undefined);
  if (missing.length) throw new InvalidInputError(`environment variables used by the runbook are not set: ${missing.join(', ')}`);
  registerSecrets(referencedEnvValues(runbook.resources, env));
  const log = createLogger({ level: g.logLevel ?? (g.logFile ? 'info' : 'warn'), file: g.logFile });
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => stop.abort(new AbortedError(`stopped by ${sig}`));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  const context: ProviderContext = {
    runId: `heartbeat-${runbook.name}`,
    clock: createClock(),
    log,
    resource: (name) => {
      const spec = Object.hasOwn(runbook.resources, name) ? runbook.resources[name] : undefined;
      if (!spec) throw new InvalidInputError(`no resource named ${name}`);
      const { type, ...rest } = resolveRefs(spec, { env }, `resource ${name}`);
      return { name, type, spec: rest };
    },
    resourceType: (t) => registry.resourceType(t),
    record: () => {},
  };
  try {
    if (!opts.json) writeErr(`lifeboat: heartbeat of ${runbook.name} on ${runbook.heartbeat.target} every ${runbook.heartbeat.interval} (Ctrl-C to stop)\n`);
    const r = await runHeartbeat({
      runbook,
      registry,
      context,
      stateDir: g.stateDir,
      log,
      signal: stop.signal,
      ...(count !== undefined ? { count } : {}),
      onBeat: (b) => {
        if (opts.json) return;
        if (b.ok) out(`beat ${b.seq} acknowledged at ${new Date(b.ackedAt!).toISOString()}`);
        else out(`beat ${b.seq} NOT acknowledged: ${redactText(b.error ?? '')}`);
      },
    });
    if (opts.json) outJson({ runbook: runbook.name, target: runbook.heartbeat.target, acknowledged: r.acknowledged, failed: r.failed, log: r.logPath });
    else writeErr(`lifeboat: heartbeat stopped: ${r.acknowledged} acknowledged, ${r.failed} not; records in ${r.logPath}\n`);
    return EXIT.OK;
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
    log.flush?.();
  }
}
