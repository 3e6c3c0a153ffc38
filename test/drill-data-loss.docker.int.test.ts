import { dataLossSuite } from './suites/data-loss.suite.js';

// The same WAL hold-back and the same exact checks as on the process lab, on containers.
dataLossSuite('docker');
