import { AwsClients } from '../../providers/aws/aws-clients.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';

/** A source context for tests: real AwsClients (their `send` replaced by aws-sdk-client-mock), notes collected. */
export function testContext(over: Partial<SourceContext> = {}): SourceContext & { notes: string[] } {
  const notes: string[] = [];
  return {
    aws: new AwsClients({ region: 'eu-west-1' }),
    at: Date.UTC(2026, 0, 15, 12, 0, 0),
    primaryLocation: 'eu-west-1',
    policyDir: process.cwd(),
    immutableWanted: 1,
    note: (t) => notes.push(t),
    notes,
    ...over,
  };
}

/** Every copy a stream yields. */
export async function collect(stream: CopyStream): Promise<Copy[]> {
  const out: Copy[] = [];
  for await (const c of stream) out.push(c);
  return out;
}
