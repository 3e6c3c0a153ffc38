import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportRenderers, type ReportContext, type ReportRenderer } from '../report/renderers.js';
import type { RunResult } from '../verify/run-result.js';
import { storageFault } from '../util/storage-fault.js';

// Reports carry endpoints, step outputs and errors: readable by the owner only, like the rest
// of the state directory.
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Writes every renderer's file (report.json, report.md, …) into each directory, creating it
 * (and its parents) when missing; returns the paths written, directory by directory, in the
 * renderers' order. `context` is what the renderers may show beyond the result (the last success).
 */
export async function writeReports(
  r: RunResult,
  dirs: readonly string[],
  renderers: readonly ReportRenderer[] = reportRenderers,
  context: ReportContext = {},
): Promise<string[]> {
  const written: string[] = [];
  for (const dir of dirs) {
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw storageFault('create the report directory', dir, err);
    }
    for (const renderer of renderers) {
      const path = join(dir, renderer.fileName);
      try {
        await writeFile(path, renderer.render(r, context), { mode: FILE_MODE });
        // `mode` applies only when the file is created: tighten a report left by an earlier run too.
        await chmod(path, FILE_MODE);
      } catch (err) {
        throw storageFault('write the report', path, err);
      }
      written.push(path);
    }
  }
  return written;
}
