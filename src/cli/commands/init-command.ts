import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { InvalidInputError, messageOf } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { initTemplates, withName } from '../init-templates.js';
import { out, outJson } from '../output.js';

export interface InitOptions {
  template: string;
  list?: boolean;
  json?: boolean;
}

/** The template used when `--template` is not given. */
export const DEFAULT_TEMPLATE = 'local-postgres';

/**
 * `lifeboat init [--template <name>] [file]`: writes a runbook (or policy) from a template that
 * validates as written; the runbook is named after the file. Never overwrites a file (exit 2).
 */
export async function initCommand(file: string | undefined, opts: InitOptions): Promise<number> {
  const templates = initTemplates();
  if (opts.list) {
    if (opts.json) outJson(templates.map(({ name, kind, description }) => ({ name, kind, description })));
    else for (const t of templates) out(`${t.name.padEnd(20)} ${t.kind.padEnd(14)} ${t.description}`);
    return EXIT.OK;
  }
  const template = templates.find((t) => t.name === opts.template);
  if (!template) throw new InvalidInputError(`no template ${opts.template}; templates: ${templates.map((t) => t.name).join(', ')} (lifeboat init --list)`);
  const target = file ?? `${template.name}.yaml`;
  const stem = basename(target, extname(target));
  // Named after the file when the file name is a valid runbook name; else the template's own name stays.
  const text = file !== undefined && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(stem) ? withName(template.text, stem) : template.text;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidInputError(`${target} exists; not overwritten (choose another file or remove it)`);
    throw new InvalidInputError(`cannot write ${target}: ${messageOf(err)}`, { cause: err });
  }
  if (opts.json) outJson({ file: target, template: template.name, kind: template.kind });
  else out(`wrote ${target} (${template.kind} from template ${template.name}); next: lifeboat validate ${target} && lifeboat plan ${target}`);
  return EXIT.OK;
}
