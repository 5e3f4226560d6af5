import { MemoryDispatchLog } from '../../core/adapters/memory/memory-dispatch-log.js';
import { DynamoDispatchLog } from '../../core/adapters/aws/dynamo-dispatch-log.js';
import { dynamoBackends, freshTables } from './backends.js';
import { dispatchLogContract } from './contracts/dispatch-log.contract.js';

dispatchLogContract('memory', async () => new MemoryDispatchLog());
for (const backend of dynamoBackends()) {
  dispatchLogContract(
    `DynamoDB on ${backend.name}`,
    async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      return new DynamoDispatchLog(db, names.executionsTable);
    },
    { skip: backend.endpoint === null },
  );
}
