import { MemoryBundleClaims } from '../../core/adapters/memory/memory-bundle-claims.js';
import { DynamoBundleClaims } from '../../core/adapters/aws/dynamo-bundle-claims.js';
import { onEachDynamoBackend } from './backends.js';
import { bundleClaimsContract } from './contracts/bundle-claims.contract.js';

bundleClaimsContract('memory', async () => new MemoryBundleClaims());
onEachDynamoBackend(bundleClaimsContract, ({ db, names }) => new DynamoBundleClaims(db, names.executionsTable));
