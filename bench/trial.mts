import { startEnvironment } from './environment.js';
import { measureLateness } from './timing.js';
const env = await startEnvironment();
console.log('lateness', JSON.stringify(await measureLateness(env, 2000, Number(process.env.CONC ?? 10))));
await env.stop();
process.exit(0);
