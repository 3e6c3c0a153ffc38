import { InvalidInputError } from '../errors.js';

// The same grammar as runbook validation (runbook/rules.ts): step ids may contain `.` and `-`.
const REF = /\$\{(env:[A-Za-z_][A-Za-z0-9_]*|steps\.[A-Za-z0-9][A-Za-z0-9_.-]*\.[A-Za-z0-9_]+)\}/g;

/** Where `${...}` references are resolved from. */
export interface RefSources {
  env: NodeJS.ProcessEnv;
  /** Outputs of completed steps, by step id. */
  outputs?: Record<string, unknown>;
}

function lookup(ref: string, src: RefSources, where: string): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const v = Object.hasOwn(src.env, name) ? src.env[name] : undefined;
    if (v === undefined) throw new InvalidInputError(`${where}: environment variable ${name} is not set`);
    return v;
  }
  const outputs = src.outputs ?? {};
  const parts = ref.slice('steps.'.length).split('.');
  // A step id may itself contain dots: the longest leading part that names a step with output wins.
  let n = parts.length - 1;
  while (n > 1 && !Object.hasOwn(outputs, parts.slice(0, n).join('.'))) n--;
  const id = parts.slice(0, n).join('.');
  let v: unknown = Object.hasOwn(outputs, id) ? outputs[id] : undefined;
  if (v === undefined) throw new InvalidInputError(`${where}: step "${id}" has no output yet (it must complete before this step)`);
  for (const k of parts.slice(n)) v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined) throw new InvalidInputError(`${where}: step output ${ref.slice(6)} does not exist`);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Replaces `${env:NAME}` and `${steps.<id>.<field>}` in every string of a value (deep copy). */
export function resolveRefs<T>(value: T, src: RefSources, where: string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${') ? v.replace(REF, (_, ref: string) => lookup(ref, src, where)) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Names of environment variables a value refers to. */
export function envRefs(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(REF)) if (m[1]!.startsWith('env:')) out.add(m[1]!.slice(4));
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out];
}

/**
 * Values of the environment variables a value refers to (set ones only): what a run registers
 * as secrets (`registerSecrets`) so that they are masked wherever they would be written.
 */
export function referencedEnvValues(value: unknown, env: NodeJS.ProcessEnv): string[] {
  return envRefs(value).flatMap((name) => {
    const v = Object.hasOwn(env, name) ? env[name] : undefined;
    return v === undefined ? [] : [v];
  });
}
