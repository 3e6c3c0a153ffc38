import { dataLossSuite } from './suites/data-loss.suite.js';

dataLossSuite('process');
