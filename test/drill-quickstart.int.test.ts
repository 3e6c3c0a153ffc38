import { quickstartSuite } from './suites/quickstart.suite.js';

quickstartSuite('runbooks/local-postgres-failover.yaml', 'local-postgres-failover');
