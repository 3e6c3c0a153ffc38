import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './run-cli.js';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Where tests leave files for people to look at (screenshots): `artifacts/` at the repository
 * root, ignored by git, kept after the tests.
 */
export function artifactPath(name: string): string {
  const dir = join(ROOT, 'artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * Headless Chromium for the HTML report tests. A missing browser fails the test with how to
 * install it: these tests never skip.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the HTML report tests need it; .ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/**
 * `promtool check metrics` (Debian's prometheus package) on an exposition text: its exit code and
 * what it said. A missing promtool fails the test with how to install it.
 */
export function promtoolCheck(text: string, scratchDir: string): { code: number | null; output: string } {
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('promtool is missing: apt-get install -y prometheus (the Prometheus report tests need it; .ci/run installs it)');
  // Kept on disk too, so that a failure can be looked at.
  writeFileSync(join(scratchDir, 'checked.prom'), text);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}
