/** Seeds 101-200 of the simulation, in a file of their own so the two halves run on both cores. */
import { simulationSuite } from '../simulation/suite.js';

simulationSuite(101, 100, [
  { property: 'max-runs-counts-runs', why: 'seed 148: the API sends a new maxRuns job ahead, the tick later judges some of those missed and does not count them: 9 runs of 7 (open, issue 14)' },
]);
