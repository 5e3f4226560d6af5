/**
 * The DynamoDB tables' shape, shared by the adapters, the local provisioning and
 * the tests. infra/storage.ts declares the same shape for AWS.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const DEAD_INDEX = 'dead';
/** The dead index's one partition key value: dead letters are few, and listed newest first. */
export const DEAD_LIST = 'dead';

export function jobsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
}

/** The ledger table's TTL attribute: due-index slots expire through it (free deletes). */
export const EXPIRES_AT = 'expiresAt';

/** The ledger table also holds the due index and the dispatch log, under partitions that start with `#`. */
export function executionsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'scheduledFor', AttributeType: 'S' },
      { AttributeName: 'deadList', AttributeType: 'S' },
      { AttributeName: 'diedAt', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'jobId', KeyType: 'HASH' },
      { AttributeName: 'scheduledFor', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        // Sparse: only dead letters not yet redriven or discarded carry deadList.
        IndexName: DEAD_INDEX,
        KeySchema: [
          { AttributeName: 'deadList', KeyType: 'HASH' },
          { AttributeName: 'diedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
