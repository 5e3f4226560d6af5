/**
 * Starts the emulators once for the integration suite and stops them after. Under
 * CI=true a missing emulator fails the run; locally a missing Java skips only the
 * DynamoDB Local runs, and says so.
 */
import type { TestProject } from 'vitest/node';
import { javaAvailable, startDynalite, startDynamoDbLocal, startSqsEmulator, type RunningEmulator } from '../../local/emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbLocalEndpoint: string | null;
    dynaliteEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const running: RunningEmulator[] = [];
  let dynamoDbLocal: RunningEmulator | null = null;
  if (javaAvailable()) {
    dynamoDbLocal = await startDynamoDbLocal();
    running.push(dynamoDbLocal);
  } else if (process.env.CI === 'true') {
    throw new Error('CI=true and Java is missing: DynamoDB Local cannot start, and the integration suite will not run without it');
  } else {
    console.warn(
      '\n[integration] Java not found: the DynamoDB Local runs are SKIPPED (dynalite still runs). Install Java 17 to run them.\n',
    );
  }
  const dynalite = await startDynalite();
  running.push(dynalite);
  const sqs = await startSqsEmulator();
  running.push(sqs);

  project.provide('dynamoDbLocalEndpoint', dynamoDbLocal?.endpoint ?? null);
  project.provide('dynaliteEndpoint', dynalite.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);

  return async () => {
    await Promise.all(running.map((e) => e.stop()));
  };
}
