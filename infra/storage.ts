/** DynamoDB tables; the same shape as adapters/aws/storage-layout.ts. */
export const jobsTable = new sst.aws.Dynamo('Jobs', {
  fields: { pk: 'string' },
  primaryIndex: { hashKey: 'pk' },
  // Tasks and their uniqueKey locks expire a while after they ran.
  ttl: 'expiresAt',
});

export const executionsTable = new sst.aws.Dynamo('Executions', {
  fields: { jobId: 'string', scheduledFor: 'string', deadList: 'string', diedAt: 'string' },
  primaryIndex: { hashKey: 'jobId', rangeKey: 'scheduledFor' },
  // Sparse: only dead letters not yet redriven or discarded carry deadList.
  globalIndexes: { dead: { hashKey: 'deadList', rangeKey: 'diedAt' } },
  // Due-index slots expire a week after their minute (TTL deletes cost nothing).
  ttl: 'expiresAt',
});
