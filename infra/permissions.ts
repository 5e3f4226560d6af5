/**
 * Least-privilege IAM statements. SST's `link` would grant dynamodb:* and sqs:*,
 * so functions get exactly the actions their adapters call, on their resources.
 */
type Table = { arn: $util.Output<string> };
type Queue = { arn: $util.Output<string> };

export function tableAccess(table: Table, actions: string[]) {
  return {
    actions: actions.map((a) => `dynamodb:${a}`),
    resources: [table.arn, $interpolate`${table.arn}/index/*`],
  };
}

export function queueAccess(queue: Queue, actions: string[]) {
  return { actions: actions.map((a) => `sqs:${a}`), resources: [queue.arn] };
}
