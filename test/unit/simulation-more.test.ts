/** Seeds 101-200 of the simulation, in a file of their own so the two halves run on both cores. */
import { simulationSuite } from '../simulation/suite.js';

simulationSuite(101, 100);
