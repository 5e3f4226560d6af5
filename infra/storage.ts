/** DynamoDB tables; the same shape as adapters/aws/storage-layout.ts. */
import { HISTORY_PROJECTION } from '../adapters/aws/storage-layout';
export const jobsTable = new sst.aws.Dynamo('Jobs', {
  fields: { pk: 'string' },
  primaryIndex: { hashKey: 'pk' },
  // Tasks and their uniqueKey locks expire a while after they ran.
  ttl: 'expiresAt',
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
});
