/**
 * The ledger's dead-letter writes as UpdateItem inputs: a message SQS moved to the
 * DLQ itself, a redrive's token, a discard. The store runs them (conditional: a
 * finished record, or one that is not a listed dead letter, is left as it is).
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DeadArrival } from '../../core/execution/ledger-record.js';
import { DEAD_LIST, historyKeys } from './storage-layout.js';

type Update = Omit<UpdateCommandInput, 'TableName'>;
type Key = { jobId: string; scheduledFor: string };

/** Aliases for every attribute: several of these names are DynamoDB reserved words. */
export const names = (...attributes: string[]) => Object.fromEntries(attributes.map((a) => [`#${a}`, a]));
/** The table's TTL reads epoch seconds. */
export const ttlOf = (expiresAt: string | undefined) => (expiresAt ? { expiresAt: Math.floor(Date.parse(expiresAt) / 1000) } : {});

/** Marks a record dead as SQS's maxReceiveCount decided (listed as a dead letter). */
export function arrivalUpdate(arrival: DeadArrival): Update {
  return {
    Key: { jobId: arrival.jobId, scheduledFor: arrival.scheduledFor },
    UpdateExpression:
      'SET #status = :dead, #deadList = :deadList, #diedAt = :at, #deadReason = :reason, #occurrence = :occurrence, ' +
      '#jobName = :jobName, #handler = :handler, #attempt = if_not_exists(#attempt, :zero), ' +
      '#startedAt = if_not_exists(#startedAt, :at), #leaseUntil = if_not_exists(#leaseUntil, :at), ' +
      '#historyShard = :historyShard, #historyKey = :historyKey',
    // Finished records (succeeded, or already dead) are left as they are.
    ConditionExpression: 'attribute_not_exists(#jobId) OR #status IN (:running, :failed)',
    ExpressionAttributeNames: names(
      'jobId',
      'status',
      'deadList',
      'diedAt',
      'deadReason',
      'occurrence',
      'jobName',
      'handler',
      'attempt',
      'startedAt',
      'leaseUntil',
      'historyShard',
      'historyKey',
    ),
    ExpressionAttributeValues: {
      ':historyShard': historyKeys(arrival).historyShard,
      ':historyKey': historyKeys(arrival).historyKey,
      ':dead': 'dead',
      ':deadList': DEAD_LIST,
      ':at': arrival.at,
      ':reason': 'max-receives',
      ':occurrence': arrival.occurrence,
      ':jobName': arrival.jobName,
      ':handler': arrival.handler,
      ':zero': 0,
      ':running': 'running',
      ':failed': 'failed',
    },
  };
}

/** Arms a dead letter with the token only its redriven message carries. */
export function armUpdate(key: Key, redriveId: string): Update {
  return {
    Key: key,
    UpdateExpression: 'SET #redriveId = :redriveId',
    ConditionExpression: '#status = :dead AND attribute_exists(#deadList)',
    ExpressionAttributeNames: names('redriveId', 'status', 'deadList'),
    ExpressionAttributeValues: { ':redriveId': redriveId, ':dead': 'dead' },
    ReturnValues: 'ALL_NEW',
  };
}

/** Takes a dead letter off the list (its record stays, expiring as final history). */
export function discardUpdate(key: Key, at: string, expiresAt?: string): Update {
  const expires = expiresAt ? ', #expiresAt = :expiresAt' : '';
  return {
    Key: key,
    UpdateExpression: `SET #discardedAt = :at${expires} REMOVE #deadList, #redriveId`,
    ConditionExpression: '#status = :dead AND attribute_exists(#deadList)',
    ExpressionAttributeNames: names('discardedAt', 'deadList', 'redriveId', 'status', ...(expires ? ['expiresAt'] : [])),
    ExpressionAttributeValues: { ':at': at, ':dead': 'dead', ...(expires ? { ':expiresAt': ttlOf(expiresAt).expiresAt } : {}) },
  };
}
