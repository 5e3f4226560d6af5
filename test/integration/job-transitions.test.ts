/** Pause, resume, one-time jobs, maxRuns and downtime through the API, on DynamoDB (each emulator). */
import { DynamoBundleClaims } from '../../adapters/aws/dynamo-bundle-claims.js';
import { DynamoDispatchLog } from '../../adapters/aws/dynamo-dispatch-log.js';
import { DynamoDueIndex } from '../../adapters/aws/dynamo-due-index.js';
import { DynamoExecutionStore } from '../../adapters/aws/dynamo-execution-store.js';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { transitionScenarios } from '../helpers/transition-scenarios.js';
import { dynamoBackends, freshTables } from './backends.js';

for (const backend of dynamoBackends()) {
  transitionScenarios(
    `DynamoDB on ${backend.name}`,
    async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      return {
        jobs: new DynamoJobStore(db, names.jobsTable),
        executions: new DynamoExecutionStore(db, names.executionsTable),
        due: new DynamoDueIndex(db, names.executionsTable, 2),
        dispatchLog: new DynamoDispatchLog(db, names.executionsTable),
        claims: new DynamoBundleClaims(db, names.executionsTable),
      };
    },
    { skip: backend.endpoint === null },
  );
}
