import { topologyProblems } from '../lab/topology.js';
import type { Registry } from '../providers/registry.js';
import { hasCapability, type Phase, type ResourceCapability } from '../providers/types.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT, parseDuration } from '../util/duration.js';
import { formatPath } from './positions.js';
import { checkStepReferences } from './step-references.js';
import { PHASES } from './types.js';
import type { FlatIssue } from './zod-issues.js';

type Obj = Record<string, unknown>;
type Path = Array<string | number>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
// Own keys only: `toString` or `constructor` must not name a probe, resource or service.
const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);

const REFERENCE = /\$\{([^}]*)\}/g;
// The grammar engine/interpolate.ts resolves: step ids may contain `.` and `-`; the field path ends in a word.
const VALID_REFERENCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|steps\.[A-Za-z0-9][A-Za-z0-9_.-]*\.[A-Za-z0-9_]+)$/;

/**
 * Cross-field rules that a schema cannot express. They run on the raw document, defensively, so
 * that they report alongside schema errors in the same pass.
 */
export function checkRules(doc: unknown, registry: Registry): FlatIssue[] {
  const out: FlatIssue[] = [];
  if (!isObj(doc)) return out;
  const push = (path: Path, message: string) => out.push({ path, message });

  const resources = isObj(doc.resources) ? doc.resources : {};
  const probes = isObj(doc.probes) ? doc.probes : {};
  const lab = isObj(doc.lab) ? doc.lab : undefined;
  const labServices = lab && isObj(lab.services) ? lab.services : {};

  checkReferences(doc, [], push);
  checkStepReferences(doc, push);
  checkObjectives(doc, push);
  if (lab && isObj(lab.services)) for (const p of topologyProblems(labServices)) push(['lab', 'services', ...p.path], p.message);
  const driverName = lab ? (str(lab.driver) ?? 'process') : undefined;
  if (lab && driverName === 'process') {
    for (const key of ['image', 'pgBin']) if (lab[key] !== undefined) push(['lab', key], `lab.${key} is for container drivers (driver: docker); the process driver runs this machine's PostgreSQL binaries`);
  }
  const driver = driverName !== undefined ? registry.labDriver(driverName) : undefined;
  if (lab && driverName !== undefined && !driver && registry.labDrivers.length)
    push(['lab', 'driver'], `lab driver "${driverName}" is not available (available: ${registry.labDrivers.map((d) => d.name).join(', ')})`);

  // An empty service is filled only by a restore: its driver must be able to do that.
  if (driver && !driver.capabilities.includes('restore'))
    for (const [name, svc] of Object.entries(labServices))
      if (isObj(svc) && svc.empty === true) push(['lab', 'services', name, 'empty'], `the ${driver.name} driver cannot restore into a lab service, so it cannot start one empty (drivers that can: ${registry.labDrivers.filter((d) => d.capabilities.includes('restore')).map((d) => d.name).join(', ') || 'none'})`);

  const typeOf = (ref: unknown) => {
    const r = typeof ref === 'string' && has(resources, ref) ? resources[ref] : undefined;
    return isObj(r) && typeof r.type === 'string' ? registry.resourceType(r.type) : undefined;
  };
  /** The lab service a resource stands for, when it is one. */
  const labServiceOf = (ref: unknown): string | undefined => {
    const field = typeOf(ref)?.labServiceField;
    return field !== undefined ? str((resources[ref as string] as Obj)[field]) : undefined;
  };
  for (const [name, r] of Object.entries(resources)) {
    if (!isObj(r)) continue;
    for (const v of (typeof r.type === 'string' ? registry.resourceType(r.type)?.validate?.(r) : undefined) ?? []) push(['resources', name, ...v.path.split('.')], v.message);
    const field = typeof r.type === 'string' ? registry.resourceType(r.type)?.labServiceField : undefined;
    if (field !== undefined) {
      const svc = str(r[field]);
      if (!lab) push(['resources', name, 'type'], `a ${String(r.type)} resource needs a \`lab:\` section`);
      else if (svc !== undefined && !has(labServices, svc))
        push(['resources', name, field], `no lab service named "${svc}" (lab services: ${Object.keys(labServices).join(', ') || 'none'})`);
    }
  }

  const safety = isObj(doc.safety) ? doc.safety : undefined;
  arr(safety?.allowUntagged).forEach((n, i) => {
    if (typeof n === 'string' && !has(resources, n)) push(['safety', 'allowUntagged', i], `no resource named "${n}"`);
  });

  for (const [name, p] of Object.entries(probes)) {
    if (!isObj(p)) continue;
    const def = typeof p.type === 'string' ? registry.probe(p.type) : undefined;
    if (!def) continue;
    const refs: Array<[Path, unknown]> =
      def.targets === 'endpoints' ? arr(p.endpoints).map((e, i) => [['probes', name, 'endpoints', i], e]) : p.target !== undefined ? [[['probes', name, 'target'], p.target]] : [];
    for (const [path, ref] of refs) checkResourceRef(ref, path, def.targetTypes, def.targetCapability, resources, registry, push);
    positiveDuration(p.interval, ['probes', name, 'interval'], push);
    positiveDuration(p.timeout, ['probes', name, 'timeout'], push);
    for (const v of def.validate?.(p) ?? []) push(['probes', name, ...v.path.split('.')], v.message);
  }

  const recovery = isObj(doc.recovery) ? doc.recovery : undefined;
  if (recovery) positiveDuration(recovery.timeout, ['recovery', 'timeout'], push);
  if (isObj(doc.steadyState)) positiveDuration(doc.steadyState.timeout, ['steadyState', 'timeout'], push);
  if (recovery) arr(recovery.all).forEach((n, i) => {
    if (typeof n === 'string' && !has(probes, n)) push(['recovery', 'all', i], `no probe named "${n}" (probes: ${Object.keys(probes).join(', ') || 'none'})`);
  });
  arr(doc.stopWhen).forEach((n, i) => {
    if (typeof n === 'string' && !has(probes, n)) push(['stopWhen', i], `no probe named "${n}" (probes: ${Object.keys(probes).join(', ') || 'none'})`);
  });
  if (isObj(doc.heartbeat)) checkHeartbeat(doc.heartbeat, resources, registry, push);
  const objectives = isObj(doc.objectives) ? doc.objectives : {};
  if (objectives.rto !== undefined && !recovery) push(['objectives', 'rto'], 'an RTO objective needs a `recovery:` condition (the probes that tell when service is back)');
  const writeProbeTypes = registry.probes().filter((p) => p.measuresWrites).map((p) => p.type);
  // A heartbeat measures the RPO of a real failover (`lifeboat failover`) without a writes probe.
  if (objectives.rpo !== undefined && !isObj(doc.heartbeat) && !Object.values(probes).some((p) => isObj(p) && typeof p.type === 'string' && writeProbeTypes.includes(p.type)))
    push(['objectives', 'rpo'], `an RPO objective needs a probe of type ${writeProbeTypes.join(' or ') || '(none available)'} to measure data loss`);

  const seen = new Map<string, string>();
  for (const phase of PHASES) {
    arr(doc[phase]).forEach((item, i) => {
      if (!isObj(item)) return;
      if (Array.isArray(item.parallel)) {
        if (typeof item.id === 'string') uniqueId(item.id, [phase, i, 'id'], seen, push);
        item.parallel.forEach((s, j) => checkStep(s, phase, [phase, i, 'parallel', j], false));
      } else checkStep(item, phase, [phase, i], false);
    });
  }

  function checkStep(s: unknown, phase: Phase, path: Path, isCompensation: boolean) {
    if (!isObj(s)) return;
    if (typeof s.id === 'string') uniqueId(s.id, [...path, 'id'], seen, push);
    const def = typeof s.action === 'string' ? registry.action(s.action) : undefined;
    if (def) {
      if (!def.phases.includes(phase) && !isCompensation)
        push([...path, 'action'], `action ${def.name} is not allowed under ${phase} (allowed in: ${def.phases.join(', ')})`);
      if (def.target === 'required' && s.target === undefined) push([...path, 'target'], `action ${def.name} needs a target`);
      if (def.target === 'none' && s.target !== undefined) push([...path, 'target'], `action ${def.name} takes no target`);
      if (s.target !== undefined) checkResourceRef(s.target, [...path, 'target'], def.targetTypes, def.targetCapability, resources, registry, push);
      for (const p of def.resourceParams ?? []) if (s[p] !== undefined) checkResourceRef(s[p], [...path, p], undefined, undefined, resources, registry, push);
      if (def.labCapability && s.target !== undefined && hasCapability(typeOf(s.target), 'lab-service') && driver && !driver.capabilities.includes(def.labCapability))
        push([...path, 'action'], `action ${def.name} needs lab services that can ${def.labCapability}; the ${driver.name} driver cannot (drivers that can: ${registry.labDrivers.filter((d) => d.capabilities.includes(def.labCapability!)).map((d) => d.name).join(', ') || 'none'})`);
      // The lab starts with the topology it declares, and no fault step can change it.
      if (def.labCapability === 'hold-wal' && phase === 'fault') {
        const svc = labServiceOf(s.target);
        const spec = svc !== undefined && has(labServices, svc) ? labServices[svc] : undefined;
        const up = isObj(spec) ? str(spec.replicaOf) : undefined;
        if (up !== undefined) push([...path, 'target'], `hold-wal holds a primary's WAL senders; ${svc} is a replica of ${up}`);
      }
      for (const v of def.validate?.(s) ?? []) push([...path, ...v.path.split('.')], v.message);
    }
    positiveDuration(s.timeout, [...path, 'timeout'], push);
    if (isObj(s.retry)) checkRetry(s.retry, [...path, 'retry'], push);
    if (isObj(s.compensate)) checkStep(s.compensate, phase, [...path, 'compensate'], true);
  }
  return out;
}

function uniqueId(id: string, path: Path, seen: Map<string, string>, push: (p: Path, m: string) => void) {
  const where = formatPath(path.slice(0, -1));
  const first = seen.get(id);
  if (first !== undefined) push(path, `duplicate step id "${id}" (first used at ${first})`);
  else seen.set(id, where);
}

function checkResourceRef(
  ref: unknown,
  path: Path,
  types: readonly string[] | undefined,
  capability: ResourceCapability | undefined,
  resources: Obj,
  registry: Registry,
  push: (p: Path, m: string) => void,
) {
  if (typeof ref !== 'string') return;
  const r = has(resources, ref) ? resources[ref] : undefined;
  if (!isObj(r)) {
    push(path, `no resource named "${ref}" (resources: ${Object.keys(resources).join(', ') || 'none'})`);
    return;
  }
  const type = typeof r.type === 'string' ? r.type : undefined;
  if (types && !(type !== undefined && types.includes(type))) push(path, `resource "${ref}" is of type ${type ?? 'unknown'}; expected ${types.join(' or ')}`);
  const def = type !== undefined ? registry.resourceType(type) : undefined;
  // An unknown type is reported by the schema; only a known type that lacks the capability is reported here.
  if (capability && def && !hasCapability(def, capability)) {
    const able = registry.resourceTypes().filter((t) => hasCapability(t, capability)).map((t) => t.type);
    push(path, `resource "${ref}" is of type ${type}; expected ${able.join(' or ')}`);
  }
}

function positiveDuration(v: unknown, path: Path, push: (p: Path, m: string) => void) {
  if (typeof v !== 'string') return;
  const d = parseDuration(v);
  if (d !== undefined && d <= 0) push(path, 'must be greater than zero');
}

function checkRetry(r: Obj, path: Path, push: (p: Path, m: string) => void) {
  positiveDuration(r.initialInterval, [...path, 'initialInterval'], push);
  positiveDuration(r.maximumInterval, [...path, 'maximumInterval'], push);
  const init = typeof r.initialInterval === 'string' ? parseDuration(r.initialInterval) : 1000;
  const max = typeof r.maximumInterval === 'string' ? parseDuration(r.maximumInterval) : undefined;
  if (init !== undefined && max !== undefined && max < init) push([...path, 'maximumInterval'], 'must not be shorter than initialInterval');
  // The wait before the last retry, as engine/retry.ts computes it (the cap defaults to 100 × initialInterval).
  const attempts = typeof r.maximumAttempts === 'number' ? r.maximumAttempts : 3;
  const factor = typeof r.backoffCoefficient === 'number' ? r.backoffCoefficient : 2;
  if (init !== undefined && init <= MAX_TIMER_MS && (max === undefined || max <= MAX_TIMER_MS) && attempts >= 2) {
    const longest = Math.min(max ?? init * 100, init * factor ** (attempts - 2));
    if (longest > MAX_TIMER_MS)
      push(path, `waits up to ${Math.round(longest)}ms between attempts; at most ${MAX_TIMER_TEXT} (${MAX_TIMER_MS}ms), the longest a timer can wait: set a shorter maximumInterval`);
  }
  const known = ['INVALID_INPUT', 'PROVIDER_ERROR', 'STEP_TIMEOUT', 'INFRASTRUCTURE', 'ABORTED', 'INTERNAL'];
  arr(r.nonRetryableErrorTypes).forEach((t, i) => {
    if (typeof t === 'string' && /^[A-Z_]+$/.test(t) && !known.includes(t))
      push([...path, 'nonRetryableErrorTypes', i], `unknown error code "${t}" (known: ${known.join(', ')}; or an error class name)`);
  });
}

function checkObjectives(doc: Obj, push: (p: Path, m: string) => void) {
  const o = doc.objectives;
  if (!isObj(o)) return;
  if (o.rto === undefined && o.rpo === undefined) push(['objectives'], 'give at least one objective: rto or rpo');
  positiveDuration(o.rto, ['objectives', 'rto'], push);
  positiveDuration(o.rpo, ['objectives', 'rpo'], push);
}

function checkReferences(v: unknown, path: Path, push: (p: Path, m: string) => void) {
  if (typeof v === 'string') {
    for (const m of v.matchAll(REFERENCE)) {
      if (!VALID_REFERENCE.test(m[1]!)) push(path, `bad reference "${m[0]}": use \${env:NAME} or \${steps.<id>.<field>}`);
    }
  } else if (Array.isArray(v)) v.forEach((x, i) => checkReferences(x, [...path, i], push));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) checkReferences(x, [...path, k], push);
}

/** The heartbeat writes to a resource whose type can keep beats (a PostgreSQL table, S3 objects). */
function checkHeartbeat(h: Obj, resources: Obj, registry: Registry, push: (p: Path, m: string) => void) {
  positiveDuration(h.interval, ['heartbeat', 'interval'], push);
  positiveDuration(h.retention, ['heartbeat', 'retention'], push);
  if (typeof h.table === 'string' && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(h.table)) push(['heartbeat', 'table'], 'expected a plain SQL table name (letters, digits, _)');
  const ref = h.target;
  if (typeof ref !== 'string') return;
  const r = has(resources, ref) ? resources[ref] : undefined;
  if (!isObj(r)) return push(['heartbeat', 'target'], `no resource named "${ref}" (resources: ${Object.keys(resources).join(', ') || 'none'})`);
  const type = typeof r.type === 'string' ? r.type : undefined;
  const def = type !== undefined ? registry.resourceType(type) : undefined;
  if (def && !def.heartbeat) {
    const able = registry.resourceTypes().filter((t) => t.heartbeat).map((t) => t.type);
    push(['heartbeat', 'target'], `resource "${ref}" is of type ${type}; a heartbeat writes to ${able.join(' or ') || '(none available)'}`);
  }
}
