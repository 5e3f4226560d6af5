/**
 * Runs infra/*.ts against recording stand-ins for SST's components (SST cannot
 * deploy offline), so tests can read what infra declares.
 */

export interface Created {
  kind: string;
  name: string;
  args: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded as given
  subscription?: { subscriber: any; args: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function loadInfra(): Promise<{ created: Created[]; find(kind: string, name: string): Created }> {
  const created: Created[] = [];
  const component = (kind: string) =>
    class {
      readonly arn: string;
      readonly name: string;
      readonly url: string;
      readonly value: string;
      private readonly record: Created;
      constructor(name: string, args: unknown = {}) {
        this.record = { kind, name, args };
        created.push(this.record);
        this.arn = `arn:${kind}:${name}`;
        this.name = `${name}-name`;
        this.url = `https://${name}.url`;
        this.value = `secret:${name}`;
      }
      subscribe(subscriber: unknown, args: unknown) {
        this.record.subscription = { subscriber, args };
        return {};
      }
    };
  Object.assign(globalThis, {
    sst: {
      aws: { Dynamo: component('Dynamo'), Queue: component('Queue'), Function: component('Function'), CronV2: component('CronV2') },
      Secret: component('Secret'),
    },
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) => String.raw({ raw: strings }, ...values),
  });
  // Imported by path so the type-check (which has no SST types offline) does not follow them.
  for (const file of ['storage', 'queue', 'functions']) await import(/* @vite-ignore */ `../../infra/${file}.ts`);
  return { created, find: (kind, name) => created.find((c) => c.kind === kind && c.name === name)! };
}
