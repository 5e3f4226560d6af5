/** DynamoDB tables; the same shape as adapters/aws/storage-layout.ts. */
import { HISTORY_PROJECTION } from '../adapters/aws/storage-layout';
import { production } from './stage';

/**
 * Production tables can be restored to any second of the last 35 days (point-in-time
 * recovery) and cannot be deleted by accident, not even outside SST.
 */
const protection = {
  deletionProtection: production,
  transform: { table: { pointInTimeRecovery: { enabled: production } } },
};

export const jobsTable = new sst.aws.Dynamo('Jobs', {
  fields: { pk: 'string' },
  primaryIndex: { hashKey: 'pk' },
  // Tasks and their uniqueKey locks expire a while after they ran.
  ttl: 'expiresAt',
  ...protection,
});

export const executionsTable = new sst.aws.Dynamo('Executions', {
  fields: {
    jobId: 'string',
    scheduledFor: 'string',
    deadList: 'string',
    diedAt: 'string',
    historyShard: 'string',
    historyKey: 'string',
  },
  primaryIndex: { hashKey: 'jobId', rangeKey: 'scheduledFor' },
  globalIndexes: {
    // Sparse: only dead letters not yet redriven or discarded carry deadList.
    dead: { hashKey: 'deadList', rangeKey: 'diedAt' },
    // Executions across jobs, by day bucket and shard (see adapters/aws/storage-layout.ts).
    history: { hashKey: 'historyShard', rangeKey: 'historyKey', projection: HISTORY_PROJECTION },
  },
  // Due-index slots expire a week after their minute, final history after its retention (TTL deletes cost nothing).
  ttl: 'expiresAt',
  ...protection,
});
