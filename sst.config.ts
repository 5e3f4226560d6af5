/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Stages that hold real data: `sst remove` keeps their tables and queues (retain-all) and
 * refuses to run at all (protect). The README deploys `--stage prod`; both names
 * count, so neither spelling deletes production. SST does not allow top-level imports
 * in this file, so infra/stage.ts keeps the same list; test/unit/infra.test.ts checks
 * both against the README.
 */
const PRODUCTION_STAGES = ['prod', 'production'];

// Wires infra/*.ts together; each file creates and exports its own resources.
export default $config({
  app(input) {
    const production = PRODUCTION_STAGES.includes(input?.stage ?? '');
    return {
      name: 'scheduler',
      home: 'aws',
      // retain-all: `retain` alone would keep the tables but delete the queues and what waits in them.
      removal: production ? 'retain-all' : 'remove',
      protect: production,
    };
  },
  async run() {
    await import('./infra/storage');
    await import('./infra/queue');
    const { api, tick } = await import('./infra/functions');
    const { alarmTopic } = await import('./infra/alarms');
    // The URL without its trailing slash, so that `$URL/health` is not `//health`.
    return { api: $output(api.url).apply((url) => url.replace(/\/$/, '')), alarms: alarmTopic.arn, tickSchedule: tick.nodes.schedule.name };
  },
});
