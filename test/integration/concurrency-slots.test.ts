import { MemoryConcurrencySlots } from '../../adapters/memory/memory-concurrency-slots.js';
import { DynamoConcurrencySlots } from '../../adapters/aws/dynamo-concurrency-slots.js';
import { onEachDynamoBackend } from './backends.js';
import { concurrencySlotsContract } from './contracts/concurrency-slots.contract.js';

concurrencySlotsContract('memory', async () => new MemoryConcurrencySlots());
onEachDynamoBackend(concurrencySlotsContract, ({ db, names }) => new DynamoConcurrencySlots(db, names.executionsTable));
