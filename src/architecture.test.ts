import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

// The rule `npm run deps` checks, run on small fixture trees to prove that it passes and fails
// where ARCHITECTURE.md says (the real tree is checked by `npm run deps` itself).
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(repo, '.dependency-cruiser.cjs');

type Files = Record<string, string>;

/** Writes `files` (paths relative to a fresh root) with the repository's tsconfig; returns the root. */
async function fixture(files: Files): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'lifeboat-deps-'));
  const tsconfig = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] };
  await writeFile(join(root, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** Cruises `root/src` with the repository's rule; returns the violations as `rule: from → to`. */
async function violations(root: string): Promise<string[]> {
  const tsConfigFile = join(root, 'tsconfig.json');
  const options = {
    ...(await extractDepcruiseOptions(config)),
    baseDir: root,
    tsConfig: { fileName: tsConfigFile },
    // Never share a cache with the real tree's cruise.
    cache: false,
  };
  const { output } = await cruise(['src'], options, {}, { tsConfig: extractTSConfig(tsConfigFile) });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

const roots: string[] = [];
const tree = async (files: Files) => {
  const root = await fixture(files);
  roots.push(root);
  return violations(root);
};
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

describe('the dependency rule', () => {
  it('reports Verify importing Engine', async () => {
    expect(
      await tree({
        'src/engine/y.ts': 'export const y = 1;\n',
        'src/verify/x.ts': "import { y } from '../engine/y.js';\nexport const x = y;\n",
      }),
    ).toEqual(['verify-may-use: src/verify/x.ts → src/engine/y.ts']);
  });

  it('reports a two-file import cycle, type-only imports included', async () => {
    const found = await tree({
      'src/util/a.ts': "import type { B } from './b.js';\nexport type A = { b?: B };\n",
      'src/util/b.ts': "import type { A } from './a.js';\nexport type B = { a?: A };\n",
    });
    expect(found).toEqual(['no-circular: src/util/a.ts → src/util/b.ts']);
  });

  it('reports a cycle between test helpers, which are exempt from the layer rules only', async () => {
    const found = await tree({
      'src/engine/testing/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
      'src/engine/testing/b.ts': "import { a } from './a.js';\nexport const b = () => a();\n",
    });
    expect(found).toEqual(['no-circular: src/engine/testing/a.ts → src/engine/testing/b.ts']);
  });

  it.each([
    ['Engine importing a lab driver', 'src/engine/run.ts', 'src/lab/process/process-lab.ts', 'engine-may-use'],
    ['Engine importing a concrete provider', 'src/engine/run.ts', 'src/providers/postgres/postgres-provider.ts', 'engine-may-use'],
    ['Engine importing the command line', 'src/engine/run.ts', 'src/cli/exit-codes.ts', 'engine-may-use'],
    ['a provider importing Engine', 'src/providers/postgres/p.ts', 'src/engine/plan.ts', 'providers-may-use'],
    ['a provider importing Probes', 'src/providers/postgres/p.ts', 'src/probes/probe-scheduler.ts', 'providers-may-use'],
    ['a provider importing a lab driver', 'src/providers/lab/l.ts', 'src/lab/process/postmaster.ts', 'providers-may-use'],
    ['Runbook importing the registry instance', 'src/runbook/load.ts', 'src/cli/default-registry.ts', 'runbook-may-use'],
    ['Report importing a provider', 'src/report/r.ts', 'src/providers/types.ts', 'report-may-use'],
    ['Store importing Engine', 'src/store/s.ts', 'src/engine/journal.ts', 'store-may-use'],
    ['Lab importing Providers', 'src/lab/topology.ts', 'src/providers/types.ts', 'lab-may-use'],
    ['Timeline importing util', 'src/timeline/clock.ts', 'src/util/duration.ts', 'timeline-may-use'],
    ['util importing Timeline', 'src/errors.ts', 'src/timeline/clock.ts', 'util-may-use'],
    ['a part importing the package API', 'src/cli/main.ts', 'src/index.ts', 'no-public-barrel-inside'],
  ])('reports %s', async (_what, from, to, rule) => {
    const specifier = relativeSpecifier(from, to);
    expect(await tree({ [to]: 'export const v = 1;\n', [from]: `import { v } from '${specifier}';\nexport const w = v;\n` })).toEqual([
      `${rule}: ${from} → ${to}`,
    ]);
  });

  it('reports a renderer that writes a file', async () => {
    expect(await tree({ 'src/report/r.ts': "import { writeFileSync } from 'node:fs';\nexport const w = writeFileSync;\n" })).toEqual([
      'pure-parts-do-no-io: src/report/r.ts → fs',
    ]);
  });

  it('reports an import it cannot resolve', async () => {
    expect(await tree({ 'src/verify/x.ts': "import { y } from './gone.js';\nexport const x = y;\n" })).toEqual([
      'not-to-unresolvable: src/verify/x.ts → ./gone.js',
    ]);
  });

  it('accepts the imports ARCHITECTURE.md allows, and test files reaching across parts', async () => {
    const exportV = 'export const v = 1;\n';
    const imports = (...specifiers: string[]) =>
      `${specifiers.map((s, i) => `import { v as v${i} } from '${s}';`).join('\n')}\nexport const all = [${specifiers.map((_, i) => `v${i}`).join(', ')}];\n`;
    expect(
      await tree({
        'src/timeline/clock.ts': exportV,
        'src/util/duration.ts': exportV,
        'src/errors.ts': imports('./util/duration.js'),
        'src/log.ts': imports('./errors.js'),
        'src/lab/types.ts': imports('../timeline/clock.js', '../util/duration.js'),
        'src/lab/topology.ts': imports('./types.js'),
        'src/lab/drivers.ts': "export const load = () => import('./process/process-lab.js');\n",
        'src/lab/process/process-lab.ts': imports('../types.js', '../../log.js'),
        'src/providers/types.ts': imports('../lab/types.js'),
        'src/providers/registry.ts': imports('./types.js'),
        'src/runbook/fields.ts': exportV,
        'src/providers/postgres/write-probe.ts': imports('../types.js', '../../lab/topology.js', '../../runbook/fields.js', '../../timeline/clock.js'),
        'src/probes/probe-scheduler.ts': imports('../providers/types.js', '../timeline/clock.js'),
        'src/runbook/load.ts': imports('../providers/registry.js', '../lab/types.js', './fields.js'),
        'src/verify/run-result.ts': imports('../timeline/clock.js', '../util/duration.js'),
        'src/store/history-store.ts': imports('../verify/run-result.js'),
        'src/report/renderers.ts': imports('../verify/run-result.js'),
        'src/engine/drill-run.ts': imports(
          '../runbook/load.js',
          '../providers/registry.js',
          '../probes/probe-scheduler.js',
          '../lab/drivers.js',
          '../verify/run-result.js',
        ),
        'src/engine/testing/fake-provider.ts': imports('../../providers/postgres/write-probe.js'),
        'src/verify/x.test.ts': imports('../engine/drill-run.js'),
        'src/cli/main.ts': imports('../engine/drill-run.js', '../store/history-store.js', '../report/renderers.js', '../providers/postgres/write-probe.js'),
        'src/index.ts': imports('./cli/main.js'),
      }),
    ).toEqual([]);
  });
});

/** `to` as an import specifier relative to `from`, with the `.js` extension tsc expects. */
function relativeSpecifier(from: string, to: string): string {
  const up = from.split('/').length - 2;
  const prefix = up === 0 ? './' : '../'.repeat(up);
  return `${prefix}${to.slice('src/'.length).replace(/\.ts$/, '.js')}`;
}
