import { MemoryJobStore } from '../../adapters/memory/memory-job-store.js';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { onEachDynamoBackend } from './backends.js';
import { jobStoreContract } from './contracts/job-store.contract.js';

jobStoreContract('memory', async () => new MemoryJobStore());
onEachDynamoBackend(jobStoreContract, ({ db, names }) => new DynamoJobStore(db, names.jobsTable));
