import { MemoryExecutionStore } from '../../adapters/memory/memory-execution-store.js';
import { DynamoExecutionStore } from '../../adapters/aws/dynamo-execution-store.js';
import { onEachDynamoBackend } from './backends.js';
import { executionStoreContract } from './contracts/execution-store.contract.js';
import { historyContract } from './contracts/history.contract.js';

executionStoreContract('memory', async () => new MemoryExecutionStore());
onEachDynamoBackend(executionStoreContract, ({ db, names }) => new DynamoExecutionStore(db, names.executionsTable));

historyContract('memory', async () => new MemoryExecutionStore());
onEachDynamoBackend(historyContract, ({ db, names }) => new DynamoExecutionStore(db, names.executionsTable));
