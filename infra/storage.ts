/** DynamoDB tables; the same shape as core/adapters/aws/dynamo-schema.ts. */
export const jobsTable = new sst.aws.Dynamo('Jobs', {
  fields: { pk: 'string', dueShard: 'string', dueAt: 'number' },
  primaryIndex: { hashKey: 'pk' },
  // Sparse: only jobs with a next run carry dueShard/dueAt (see the schema file).
  globalIndexes: { due: { hashKey: 'dueShard', rangeKey: 'dueAt' } },
});

export const executionsTable = new sst.aws.Dynamo('Executions', {
  fields: { jobId: 'string', scheduledFor: 'string' },
  primaryIndex: { hashKey: 'jobId', rangeKey: 'scheduledFor' },
});
