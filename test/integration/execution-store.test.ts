import { MemoryExecutionStore } from '../../core/adapters/memory/memory-execution-store.js';
import { DynamoExecutionStore } from '../../core/adapters/aws/dynamo-execution-store.js';
import { dynamoBackends, freshTables } from './backends.js';
import { executionStoreContract } from './contracts/execution-store.contract.js';

executionStoreContract('memory', async () => new MemoryExecutionStore());
for (const backend of dynamoBackends()) {
  executionStoreContract(
    `DynamoDB on ${backend.name}`,
    async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      return new DynamoExecutionStore(db, names.executionsTable);
    },
    { skip: backend.endpoint === null },
  );
}
