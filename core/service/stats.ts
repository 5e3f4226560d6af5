/** What GET /v1/stats shows: jobs by status, executions by status lately, and the queue's depths. */
import type { Clock } from '../kernel/ports.js';
import type { ExecutionStatus } from '../execution/ledger-record.js';
import type { ExecutionStore, Queue, QueueDepths } from '../execution/ports.js';
import type { JobStatus } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';

export interface ExecutionCounts {
  counts: Partial<Record<ExecutionStatus, number>>;
  /** False when the count stopped at its read budget (a very busy window): the counts are a lower bound. */
  complete: boolean;
}

export interface Stats {
  jobs: Record<JobStatus, number>;
  executions: { lastHour: ExecutionCounts; lastDay: ExecutionCounts };
  queue: QueueDepths;
}

export class StatsService {
  constructor(private readonly deps: { jobs: JobStore; executions: ExecutionStore; queue: Queue; clock: Clock }) {}

  /** By the occurrences' instants: what fell due in the last hour and day, whatever happened to it since. */
  async current(): Promise<Stats> {
    const now = this.deps.clock.now();
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const [jobs, lastHour, lastDay, queue] = await Promise.all([
      this.deps.jobs.countByStatus(),
      this.deps.executions.countByStatus(ago(3_600_000), now.toISOString()),
      this.deps.executions.countByStatus(ago(86_400_000), now.toISOString()),
      this.deps.queue.depths(),
    ]);
    return { jobs, executions: { lastHour, lastDay }, queue };
  }
}
