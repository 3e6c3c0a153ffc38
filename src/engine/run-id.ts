import { randomBytes } from 'node:crypto';

/** A run id: sortable time, then randomness. */
export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${ts}-${randomBytes(3).toString('hex')}`;
}
