/**
 * Counts what the scheduler asks of AWS: every request by service and operation,
 * and DynamoDB's consumed read and write units (it asks for them on every call).
 * The benchmark turns these counts into USD per million executions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface Usage {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class AwsMeter {
  private usage: Usage = { requests: {}, readUnits: 0, writeUnits: 0 };

  record(service: string, operation: string, consumed: Capacity | Capacity[] | undefined, isWrite: boolean): void {
    const key = `${service}.${operation}`;
    this.usage.requests[key] = (this.usage.requests[key] ?? 0) + 1;
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      // DynamoDB reports a total; split by what the operation does.
      const read = c.ReadCapacityUnits ?? (isWrite ? 0 : (c.CapacityUnits ?? 0));
      const write = c.WriteCapacityUnits ?? (isWrite ? (c.CapacityUnits ?? 0) : 0);
      this.usage.readUnits += read;
      this.usage.writeUnits += write;
    }
  }

  snapshot(): Usage {
    return structuredClone(this.usage);
  }

  reset(): Usage {
    const before = this.snapshot();
    this.usage = { requests: {}, readUnits: 0, writeUnits: 0 };
    return before;
  }
}

/** Requests in a usage snapshot, all of them or those of one service (`'SQS.'`, `'DynamoDB.'`). */
export function requestCount(usage: Usage, prefix = ''): number {
  return Object.entries(usage.requests)
    .filter(([operation]) => operation.startsWith(prefix))
    .reduce((n, [, count]) => n + count, 0);
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/** Adds the meter to a DynamoDB client: asks for consumed capacity and records it. */
export function meterDynamo(client: DynamoDBClient, meter: AwsMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const command = context.commandName ?? 'Unknown';
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: Capacity | Capacity[] };
        meter.record('DynamoDB', command.replace(/Command$/, ''), output.ConsumedCapacity, WRITES.has(command));
        return result;
      } catch (error) {
        // A refused call is still a request (a failed conditional write is even billed), but
        // DynamoDB reports no capacity for it: counted here, priced at nothing.
        meter.record('DynamoDB', command.replace(/Command$/, ''), undefined, WRITES.has(command));
        throw error;
      }
    },
    { step: 'initialize', name: 'schedulerMeter' },
  );
}

export function meterSqs(client: SQSClient, meter: AwsMeter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } finally {
        meter.record('SQS', (context.commandName ?? 'Unknown').replace(/Command$/, ''), undefined, false);
      }
    },
    { step: 'initialize', name: 'schedulerMeter' },
  );
}
