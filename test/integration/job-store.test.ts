import { MemoryJobStore } from '../../core/adapters/memory/memory-job-store.js';
import { DynamoJobStore } from '../../core/adapters/aws/dynamo-job-store.js';
import { dynamoBackends, freshTables } from './backends.js';
import { jobStoreContract } from './contracts/job-store.contract.js';

jobStoreContract('memory', async () => new MemoryJobStore());
for (const backend of dynamoBackends()) {
  jobStoreContract(
    `DynamoDB on ${backend.name}`,
    async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      return new DynamoJobStore(db, names.jobsTable, 4);
    },
    { skip: backend.endpoint === null },
  );
}
