import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../engine/run-result.js';
import { renderJsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown-report.js';

/** Writes report.json and report.md into each directory; returns the paths written. */
export async function writeReports(r: RunResult, dirs: string[]): Promise<string[]> {
  const written: string[] = [];
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    const json = join(dir, 'report.json');
    const md = join(dir, 'report.md');
    await writeFile(json, renderJsonReport(r));
    await writeFile(md, renderMarkdownReport(r));
    written.push(json, md);
  }
  return written;
}
