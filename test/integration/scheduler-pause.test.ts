import { MemorySchedulerPauseStore } from '../../adapters/memory/memory-scheduler-pause.js';
import { DynamoSchedulerPauseStore } from '../../adapters/aws/dynamo-scheduler-pause.js';
import { onEachDynamoBackend } from './backends.js';
import { schedulerPauseContract } from './contracts/scheduler-pause.contract.js';

schedulerPauseContract('memory', async () => new MemorySchedulerPauseStore());
onEachDynamoBackend(schedulerPauseContract, ({ db, names }) => new DynamoSchedulerPauseStore(db, names.jobsTable));
