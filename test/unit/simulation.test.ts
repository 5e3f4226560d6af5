/** Seeds 1-100 of the simulation (test/simulation/suite.ts); simulation-more.test.ts runs 101-200 beside it. */
import { simulationSuite } from '../simulation/suite.js';

simulationSuite(1, 100);
