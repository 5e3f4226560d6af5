/**
 * Makes an SQS client refuse sends the way AWS does and local-aws-sqs does not
 * (see /work/shared/emulators.md): a SendMessageBatch over 1,048,576 bytes of
 * bodies and attributes fails whole with `BatchRequestTooLong`, and a body with a
 * character outside SQS's set fails the request with `InvalidMessageContents`.
 * `refuse` stands in for any other refusal of one body (a test's choice).
 */
import { BatchRequestTooLong, InvalidMessageContents, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsWouldAccept } from '../helpers/random-text.js';

/** AWS's own limit, not the adapter's margin below it. */
export const AWS_BATCH_LIMIT_BYTES = 1_048_576;

const metadata = { httpStatusCode: 400 };

function attributeBytes(attributes: Record<string, MessageAttributeValue> | undefined): number {
  return Object.entries(attributes ?? {}).reduce(
    (n, [name, v]) =>
      n +
      Buffer.byteLength(name) +
      Buffer.byteLength(v.DataType ?? '') +
      Buffer.byteLength(v.StringValue ?? '') +
      (v.BinaryValue?.byteLength ?? 0),
    0,
  );
}

interface Sent {
  MessageBody?: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

export function behaveLikeAws(client: SQSClient, options: { refuse?: (body: string) => boolean } = {}): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Entries?: Sent[] } & Sent;
      const messages: Sent[] =
        context.commandName === 'SendMessageBatchCommand'
          ? (input.Entries ?? [])
          : context.commandName === 'SendMessageCommand'
            ? [input]
            : [];
      const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.MessageBody ?? '') + attributeBytes(m.MessageAttributes), 0);
      if (context.commandName === 'SendMessageBatchCommand' && bytes > AWS_BATCH_LIMIT_BYTES) {
        throw new BatchRequestTooLong({
          message: `Batch requests cannot be longer than ${AWS_BATCH_LIMIT_BYTES} bytes. You have sent ${bytes} bytes.`,
          $metadata: metadata,
        });
      }
      if (messages.some((m) => !sqsWouldAccept(m.MessageBody ?? '') || options.refuse?.(m.MessageBody ?? ''))) {
        throw new InvalidMessageContents({ message: 'Invalid binary character in the message body', $metadata: metadata });
      }
      return next(args);
    },
    { step: 'initialize', name: 'behaveLikeAws' },
  );
}
