/** What users do to jobs over time, on the in-memory stores (the integration suite runs the same on DynamoDB). */
import { describe, expect, it } from 'vitest';
import { JobNameTakenError } from '../../core/kernel/errors.js';
import { JobService } from '../../core/service/job-service.js';
import { memoryDeps } from '../helpers/memory-deps.js';
import { transitionScenarios } from '../helpers/transition-scenarios.js';

transitionScenarios('memory');

describe('a create refused for a taken name', () => {
  it('leaves no chain in the inbox (API fuzz seed 898675104: a refused request changed the stores)', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    const api = new JobService(deps);
    const body = { name: 'nightly', schedule: { cron: '0 3 * * *' }, handler: 'log' };
    await api.create(body);
    await expect(api.create(body)).rejects.toBeInstanceOf(JobNameTakenError);
    expect(await deps.due.inbox(10)).toHaveLength(1);
  });
});
