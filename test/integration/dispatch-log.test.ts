import { MemoryDispatchLog } from '../../adapters/memory/memory-dispatch-log.js';
import { DynamoDispatchLog } from '../../adapters/aws/dynamo-dispatch-log.js';
import { onEachDynamoBackend } from './backends.js';
import { dispatchLogContract } from './contracts/dispatch-log.contract.js';

dispatchLogContract('memory', async () => new MemoryDispatchLog());
onEachDynamoBackend(dispatchLogContract, ({ db, names }) => new DynamoDispatchLog(db, names.executionsTable));
