import type { PolicyCheckResult } from './check-policy.js';

/** Escapes a label value for the Prometheus text format. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/**
 * The results of `backups check` in the Prometheus text exposition format (for the node_exporter
 * textfile collector): one family per figure, labelled by policy and resource.
 */
export function backupMetrics(results: readonly PolicyCheckResult[]): string {
  const fam = (name: string, help: string): Family => ({ name: `lifeboat_backup_${name}`, help, samples: [] });
  const copies = fam('copies', 'Copies found, the primary included.');
  const media = fam('media', 'Distinct media the copies are on, the primary included.');
  const offsite = fam('offsite_copies', 'Copies in a location other than the primary.');
  const immutable = fam('immutable_copies', 'Copies under a lock that cannot be bypassed.');
  const age = fam('newest_age_seconds', 'Age of the newest copy at the check time (absent when there is none besides the primary).');
  const rule = fam('rule_compliant', '1 if the rule passed, 0 if not.');
  const compliant = fam('compliant', '1 if every rule passed and every source was read.');
  const errors = fam('source_errors', 'Sources that could not be read.');
  const checked = fam('check_timestamp_seconds', 'When the check was made (its --at time).');
  for (const r of results) {
    const l = { policy: r.policy, resource: r.resource };
    copies.samples.push({ labels: l, value: r.copies });
    media.samples.push({ labels: l, value: r.media.length });
    offsite.samples.push({ labels: l, value: r.offsite });
    immutable.samples.push({ labels: l, value: r.immutable });
    if (r.newest) age.samples.push({ labels: l, value: r.newest.ageMs / 1000 });
    for (const x of r.rules) rule.samples.push({ labels: { ...l, rule: x.rule }, value: x.passed ? 1 : 0 });
    compliant.samples.push({ labels: l, value: r.compliant ? 1 : 0 });
    errors.samples.push({ labels: l, value: r.sourceErrors.length });
    checked.samples.push({ labels: l, value: r.checkedAt / 1000 });
  }
  const lines: string[] = [];
  for (const f of [copies, media, offsite, immutable, age, rule, compliant, errors, checked]) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const ls = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${label(v)}"`)
        .join(',');
      lines.push(`${f.name}{${ls}} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
