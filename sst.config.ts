/// <reference path="./.sst/platform/config.d.ts" />

// Wires infra/*.ts together; each file creates and exports its own resources.
export default $config({
  app(input) {
    return {
      name: 'scheduler',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
    };
  },
  async run() {
    await import('./infra/storage');
    await import('./infra/queue');
    const { api } = await import('./infra/functions');
    return { api: api.url };
  },
});
