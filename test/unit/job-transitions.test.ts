/** What users do to jobs over time, on the in-memory stores (the integration suite runs the same on DynamoDB). */
import { transitionScenarios } from '../helpers/transition-scenarios.js';

transitionScenarios('memory');
