import { formatPath } from './positions.js';
import { PHASES } from './types.js';

type Obj = Record<string, unknown>;
type Path = Array<string | number>;
type Push = (path: Path, message: string) => void;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// Only well-formed references: malformed ones are reported by the grammar rule in rules.ts.
const STEP_REFERENCE = /\$\{steps\.([A-Za-z0-9][A-Za-z0-9_.-]*\.[A-Za-z0-9_]+)\}/g;

/** Where a step runs, which decides whose outputs it can use. */
interface Site {
  kind: 'step' | 'group';
  id: string;
  /** Index in PHASES. */
  phase: number;
  /** Index of the phase item (a step, or the parallel group it belongs to). */
  item: number;
  path: Path;
  /** The step or group as written. */
  node: Obj;
  /** For a compensating step: the step it compensates. */
  compensates?: Site;
}

/**
 * `${steps.<id>.<field>}` must name a step that has completed whenever the reference is resolved
 * (engine/interpolate.ts; the longest leading part naming such a step wins, as ids may contain
 * dots): a step of an earlier phase, or an earlier item of the same phase. Probes are resolved
 * at run start and can name none; resources are resolved when used (see below).
 */
export function checkStepReferences(doc: Obj, push: Push): void {
  const sites = new Map<string, Site>();
  const steps: Site[] = [];
  // The first definition of an id wins; duplicates are reported by the unique-id rule.
  const add = (site: Site) => {
    if (!sites.has(site.id)) sites.set(site.id, site);
  };
  const addStep = (s: unknown, phase: number, item: number, path: Path, compensates?: Site) => {
    if (!isObj(s)) return;
    const site: Site = { kind: 'step', id: typeof s.id === 'string' ? s.id : '', phase, item, path, node: s, ...(compensates ? { compensates } : {}) };
    if (typeof s.id === 'string') add(site);
    steps.push(site);
    if (isObj(s.compensate)) addStep(s.compensate, phase, item, [...path, 'compensate'], site);
  };
  PHASES.forEach((phase, p) =>
    arr(doc[phase]).forEach((item, i) => {
      if (!isObj(item)) return;
      if (!Array.isArray(item.parallel)) return addStep(item, p, i, [phase, i]);
      if (typeof item.id === 'string') add({ kind: 'group', id: item.id, phase: p, item: i, path: [phase, i], node: item });
      item.parallel.forEach((s, j) => addStep(s, p, i, [phase, i, 'parallel', j]));
    }),
  );

  for (const site of steps) {
    for (const [key, value] of Object.entries(site.node)) {
      // A compensating step is checked as a step of its own; a description is never resolved.
      if (key === 'compensate' || key === 'description') continue;
      eachReference(value, [...site.path, key], (ref, path) => {
        const problem = stepProblem(ref, site, sites);
        if (problem !== undefined) push(path, `reference "\${steps.${ref}}"${problem}`);
      });
    }
  }
  if (isObj(doc.probes))
    eachReference(doc.probes, ['probes'], (ref, path) => push(path, `reference "\${steps.${ref}}": probes are resolved at run start; put the step output in a resource the probe names`));
  checkResourceReferences(doc, steps, sites, push);
}

/**
 * A resource may use a step's output (the endpoint of a restored instance): it is resolved each
 * time it is used. The step must exist (not a group or a compensation), and every step that
 * acts on the resource must run after it. A probe on the resource fails until the step completes.
 */
function checkResourceReferences(doc: Obj, steps: Site[], sites: Map<string, Site>, push: Push): void {
  if (!isObj(doc.resources)) return;
  const refsOf = new Map<string, Array<{ ref: string; path: Path }>>();
  for (const [name, r] of Object.entries(doc.resources)) {
    const list: Array<{ ref: string; path: Path }> = [];
    eachReference(r, ['resources', name], (ref, path) => list.push({ ref, path }));
    if (!list.length) continue;
    refsOf.set(name, list);
    // Checked as if used by a step after every phase: the step must exist and be a plain step.
    const anywhere: Site = { kind: 'step', id: '', phase: PHASES.length, item: 0, path: ['resources', name], node: {} };
    for (const { ref, path } of list) {
      const problem = stepProblem(ref, anywhere, sites);
      if (problem !== undefined) push(path, `reference "\${steps.${ref}}"${problem}`);
    }
  }
  for (const site of steps) {
    for (const key of ['target', 'source']) {
      const name = site.node[key];
      if (typeof name !== 'string') continue;
      for (const { ref } of refsOf.get(name) ?? []) {
        const problem = stepProblem(ref, site, sites);
        // Unknown steps are reported on the resource itself.
        if (problem !== undefined && !problem.startsWith(' names no step'))
          push([...site.path, key], `resource "${name}" uses \${steps.${ref}}${problem.replace(/^: /, ': ')}`);
      }
    }
  }
}

/** Whether `other` has completed whenever `site` runs. */
function ranBefore(other: Site, site: Site): boolean {
  if (other.kind !== 'step' || other.compensates) return false;
  // A compensation runs only for a step that completed, so it may use that step's output.
  if (site.compensates === other) return true;
  return other.phase < site.phase || (other.phase === site.phase && other.item < site.item);
}

/** What is wrong with `${steps.<ref>}` used by `site` (text appended to the reference), or undefined. */
function stepProblem(ref: string, site: Site, sites: Map<string, Site>): string | undefined {
  const parts = ref.split('.');
  const candidates: Site[] = [];
  for (let n = parts.length - 1; n >= 1; n--) {
    const other = sites.get(parts.slice(0, n).join('.'));
    if (other === undefined) continue;
    if (ranBefore(other, site)) return undefined;
    candidates.push(other);
  }
  const other = candidates[0];
  if (other === undefined) return ` names no step (steps: ${[...sites.values()].filter((s) => s.kind === 'step' && !s.compensates).map((s) => s.id).join(', ') || 'none'})`;
  if (other.kind === 'group') return `: "${other.id}" is a parallel group, not a step (it has no output)`;
  if (other.compensates) return `: step "${other.id}" is a compensating step (it runs only when its phase fails)`;
  if (other === site) return ': a step cannot use its own output';
  if (other.phase > site.phase) return `: step "${other.id}" is in ${PHASES[other.phase]}, which runs after ${PHASES[site.phase]}`;
  if (other.item === site.item) return `: step "${other.id}" starts together with this step (same parallel group)`;
  return `: step "${other.id}" runs after this step (${formatPath(other.path)})`;
}

/** Calls `fn` with each well-formed `${steps...}` reference (without `steps.`) in the strings of `v`. */
function eachReference(v: unknown, path: Path, fn: (ref: string, path: Path) => void): void {
  if (typeof v === 'string') for (const m of v.matchAll(STEP_REFERENCE)) fn(m[1]!, path);
  else if (Array.isArray(v)) v.forEach((x, i) => eachReference(x, [...path, i], fn));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) eachReference(x, [...path, k], fn);
}
