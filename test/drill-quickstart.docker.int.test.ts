import { quickstartSuite } from './suites/quickstart.suite.js';

// The same drill and the same checks as the process lab's quick start, on containers.
quickstartSuite('runbooks/docker-postgres-failover.yaml', 'docker-postgres-failover');
