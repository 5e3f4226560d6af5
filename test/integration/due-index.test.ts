import { MemoryDueIndex } from '../../core/adapters/memory/memory-due-index.js';
import { DynamoDueIndex } from '../../core/adapters/aws/dynamo-due-index.js';
import { onEachDynamoBackend } from './backends.js';
import { dueIndexContract } from './contracts/due-index.contract.js';

dueIndexContract('memory', async () => new MemoryDueIndex());
onEachDynamoBackend(dueIndexContract, ({ db, names }) => new DynamoDueIndex(db, names.executionsTable, 4));
