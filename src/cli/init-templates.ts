import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// src/cli or dist/cli: the package root, where `templates/` ships, is two folders up either way.
const TEMPLATE_DIR = resolve(import.meta.dirname, '../../templates');

/** A template `lifeboat init` can scaffold from: one YAML file in `templates/`. */
export interface InitTemplate {
  /** The file name without `.yaml`: what `--template` takes. */
  name: string;
  /** The first comment line of the file. */
  description: string;
  /** The document's `kind` (Runbook, BackupPolicy, ...). */
  kind: string;
  text: string;
}

/**
 * Every template, sorted by name. A template is a file `templates/<name>.yaml` that validates as
 * written, starting with a `# description` line: adding one (RDS, EC2, S3, a backup policy) is
 * adding that file, nothing else.
 */
export function initTemplates(dir = TEMPLATE_DIR): InitTemplate[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return {
        name: f.slice(0, -'.yaml'.length),
        description: /^#\s*(.*)$/m.exec(text)?.[1] ?? '',
        kind: /^kind:\s*(\S+)/m.exec(text)?.[1] ?? 'Runbook',
        text,
      };
    });
}

/** The template's text with its top-level `name:` set to `name`. */
export function withName(text: string, name: string): string {
  return text.replace(/^name:.*$/m, `name: ${name}`);
}
