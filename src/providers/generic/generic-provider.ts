import type { Provider } from '../types.js';
import { execAction, execProbe } from './exec.js';
import { HttpResource, httpAction, httpProbe } from './http-check.js';
import { TcpResource, tcpAction, tcpProbe } from './tcp-check.js';
import { waitAction } from './wait.js';
import { manualAction } from './manual.js';

/** Actions and probes that need no particular technology: wait, exec, http, tcp, manual. */
export const genericProvider: Provider = {
  name: 'generic',
  resourceTypes: [
    { type: 'http', description: 'An HTTP endpoint.', fields: HttpResource },
    { type: 'tcp', description: 'A TCP endpoint.', fields: TcpResource },
  ],
  actions: [waitAction, execAction, httpAction, tcpAction, manualAction],
  probes: [execProbe, httpProbe, tcpProbe],
};
