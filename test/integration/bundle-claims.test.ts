import { MemoryBundleClaims } from '../../adapters/memory/memory-bundle-claims.js';
import { DynamoBundleClaims } from '../../adapters/aws/dynamo-bundle-claims.js';
import { describe, expect, it } from 'vitest';
import { dynamoBackends, freshTables, onEachDynamoBackend } from './backends.js';
import { bundleClaimsContract } from './contracts/bundle-claims.contract.js';

bundleClaimsContract('memory', async () => new MemoryBundleClaims());
onEachDynamoBackend(bundleClaimsContract, ({ db, names }) => new DynamoBundleClaims(db, names.executionsTable));

describe.each(dynamoBackends().filter((b) => b.endpoint !== null))('BundleClaims on $name when an answer is lost', ({ endpoint }) => {
  it('takes back as its own what an earlier try of the same claim took, and says the ledger must decide', async () => {
    const { db, names } = await freshTables(endpoint!);
    const claims = new DynamoBundleClaims(db, names.executionsTable);
    const group = '2026-01-01T00:01:00.000Z#3';
    const holder = { id: 'me', leaseUntil: '2026-01-01T00:02:00.000Z' };
    // The first try went through; its answer never came (the SDK retries the same request).
    await claims.claim(group, ['a', 'b'], holder, '2026-01-01T00:01:00.000Z');
    expect(await claims.claim(group, ['a', 'b', 'c'], holder, '2026-01-01T00:01:00.100Z')).toEqual({
      taken: ['a', 'b', 'c'],
      takenOver: [],
      regained: ['a', 'b'],
      heldElsewhere: [],
      heldByPause: [],
    });
    // Another delivery (another holder) still finds them held.
    expect(await claims.claim(group, ['a'], { id: 'other', leaseUntil: holder.leaseUntil }, '2026-01-01T00:01:01.000Z')).toMatchObject({
      taken: [],
      heldElsewhere: ['a'],
    });
  });
});
