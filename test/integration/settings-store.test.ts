import { MemorySettingsStore } from '../../adapters/memory/memory-settings-store.js';
import { DynamoSettingsStore } from '../../adapters/aws/dynamo-settings-store.js';
import { onEachDynamoBackend } from './backends.js';
import { settingsStoreContract } from './contracts/settings-store.contract.js';

settingsStoreContract('memory', async () => new MemorySettingsStore());
onEachDynamoBackend(settingsStoreContract, ({ db, names }) => new DynamoSettingsStore(db, names.jobsTable));
