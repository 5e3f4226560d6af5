/** Provisioning over a queue that exists with other attributes, as SQS answers it (QueueAlreadyExists). */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { QueueNameExists } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { provisionQueues } from '../../local/provision.js';

it('takes the existing queue and sets its attributes when SQS refuses the create', async () => {
  const sqs = mockClient(SQSClient);
  sqs.on(CreateQueueCommand, { QueueName: 'scheduler-work-dlq' }).resolves({ QueueUrl: 'http://q/dlq' });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:1:scheduler-work-dlq' } });
  sqs.on(CreateQueueCommand, { QueueName: 'scheduler-work' }).rejects(
    new QueueNameExists({
      message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
      $metadata: {},
    }),
  );
  sqs.on(GetQueueUrlCommand, { QueueName: 'scheduler-work' }).resolves({ QueueUrl: 'http://q/work' });
  sqs.on(SetQueueAttributesCommand).resolves({});
  const urls = await provisionQueues(new SQSClient({ region: 'us-east-1' }));
  expect(urls).toEqual({ queueUrl: 'http://q/work', deadLetterQueueUrl: 'http://q/dlq' });
  const set = sqs.commandCalls(SetQueueAttributesCommand).find((c) => c.args[0].input.QueueUrl === 'http://q/work')!;
  expect(set.args[0].input.Attributes).toMatchObject({ VisibilityTimeout: '450' });
  sqs.restore();
});
