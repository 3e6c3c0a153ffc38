// @ts-check
/**
 * The dependency rule of ARCHITECTURE.md (its parts table and its "Never" list): which part of
 * `src/` may import which, and no import cycles. `npm run deps` checks it as part of `npm test`;
 * `src/architecture.test.ts` proves that it fails where it should.
 *
 * Each part is a set of paths under `src/`; `mayUse` lists, per part, the only paths under
 * `src/` its files may import (its own files always). Packages and node built-ins are not
 * restricted by part, except that the pure parts do no I/O. Type-only imports count: a type
 * couples two parts as much as a value does. Tests and test helpers are exempt from the part
 * rules, not from the cycle rule.
 */

/** Paths of each part, as regular expressions over paths relative to the repository root. */
const part = {
  cli: '^src/cli/',
  engine: '^src/engine/',
  probes: '^src/probes/',
  providers: '^src/providers/',
  // Only the provider contract, not a provider's folder (src/providers/<name>/).
  providerInterface: '^src/providers/(types|registry)\\.ts$',
  lab: '^src/lab/',
  // src/lab/*.ts: the Lab interface, the lazily loaded driver list, topology; not a driver's folder.
  labInterface: '^src/lab/[^/]+\\.ts$',
  // What a provider may know of a lab: the interface and the start-order rule, not the driver list.
  labTypes: '^src/lab/(types|topology)\\.ts$',
  runbook: '^src/runbook/',
  // Field helpers providers use to describe their resources' and actions' schemas.
  runbookFields: '^src/runbook/fields\\.ts$',
  backups: '^src/backups/',
  verify: '^src/verify/',
  store: '^src/store/',
  report: '^src/report/',
  timeline: '^src/timeline/',
  util: ['^src/util/', '^src/errors\\.ts$', '^src/log\\.ts$'],
};

/** Tests and test helpers (fakes, fixtures) may reach across parts: only cycles apply to them. */
const testFiles = ['\\.test\\.ts$', '/testing/'];

/** @type {Record<string, { from: string | string[], mayUse: (string | string[])[], why: string }>} */
const layers = {
  engine: {
    from: part.engine,
    mayUse: [part.engine, part.runbook, part.providerInterface, part.probes, part.labInterface, part.verify, part.timeline, part.util],
    why: 'Engine uses providers and labs only through their interfaces (no provider or lab driver folder) and knows no command line.',
  },
  probes: {
    from: part.probes,
    mayUse: [part.probes, part.providerInterface, part.timeline, part.util],
    why: 'Probes hold the scheduler only: provider interface, timeline and util.',
  },
  providers: {
    from: part.providers,
    mayUse: [part.providers, part.labTypes, part.runbookFields, part.timeline, part.util],
    why: 'Providers import nothing from Engine, Probes, Cli or a lab driver folder: a fault works on any lab driver through LabService.',
  },
  lab: {
    from: part.lab,
    mayUse: [part.lab, part.timeline, part.util],
    why: 'Lab uses only Timeline and util.',
  },
  runbook: {
    from: part.runbook,
    mayUse: [part.runbook, part.providerInterface, part.labTypes, part.timeline, part.util],
    why: 'Runbook uses util and provider types; it imports no registry instance (whoever loads a runbook passes the registry).',
  },
  backups: {
    from: part.backups,
    // The policy loader reads YAML with positions as runbooks do (runbook/positions, zod-issues, nesting).
    mayUse: [part.backups, part.providers, part.runbook, part.timeline, part.util],
    why: 'Backups use Providers, the runbook YAML loading helpers and util.',
  },
  verify: {
    from: part.verify,
    mayUse: [part.verify, part.timeline, part.util],
    why: 'Verify is pure functions of a timeline: nothing from Engine or Providers.',
  },
  store: {
    from: part.store,
    mayUse: [part.store, part.verify, part.timeline, part.util],
    why: 'Store knows result types only: history knows no engine and no cloud.',
  },
  report: {
    from: part.report,
    mayUse: [part.report, part.verify, part.timeline, part.util],
    why: 'Reports render stored results only: nothing from Engine or Providers.',
  },
  timeline: {
    from: part.timeline,
    mayUse: [part.timeline],
    why: 'Timeline is a leaf: it imports nothing.',
  },
  util: {
    from: part.util,
    mayUse: [part.util],
    why: 'util (src/util, errors.ts, log.ts) is a leaf: it imports only util.',
  },
};

/** @type {(x: string | string[]) => string[]} */
const list = (x) => (Array.isArray(x) ? x : [x]);

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = Object.entries(layers).map(([name, l]) => ({
  name: `${name}-may-use`,
  comment: l.why,
  severity: 'error',
  from: { path: list(l.from), pathNot: testFiles },
  to: { path: '^src/', pathNot: l.mayUse.flatMap(list) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere (type-only imports included), test files included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'no-public-barrel-inside',
      comment: 'src/index.ts is the package API; importing it from inside would bypass every rule above.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/index\\.ts$', ...testFiles] },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'pure-parts-do-no-io',
      comment: 'Verify, Report and Timeline are pure: files, processes and the network belong to the CLI, providers and the store.',
      severity: 'error',
      from: { path: [part.verify, part.report, part.timeline], pathNot: testFiles },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dgram|dns|tls|worker_threads|cluster)$' },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'The published package installs no devDependency: only tests and test helpers may import one.',
      severity: 'error',
      from: { path: '^src/', pathNot: testFiles },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the rule cannot resolve would escape every check above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Resolves `./x.js` specifiers to `./x.ts` as tsc does (moduleResolution NodeNext).
    tsConfig: { fileName: 'tsconfig.json' },
    // Sees type-only imports (`import type`), which the compiled JavaScript no longer has.
    tsPreCompilationDeps: true,
    // Packages' `exports` as Node resolves them for an ES module (the default lacks `import`).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
    },
    moduleSystems: ['es6', 'cjs'],
    skipAnalysisNotInRules: true,
  },
};
