/**
 * Runs sst.config.ts (and so infra/*.ts) against recording stand-ins for SST's
 * components and the few Pulumi AWS resources it uses (SST cannot deploy offline),
 * so tests can read what the infra declares, for any stage. The stand-ins mirror
 * the parts of SST 4's components the infra relies on: their `nodes`, `subscribe`,
 * and CronV2's schedule arguments with its `transform.schedule` applied.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the stand-ins record whatever the infra passes */
import { vi } from 'vitest';

export interface Created {
  kind: string;
  name: string;
  args: any;
  subscription?: { subscriber: any; args: any };
  /** CronV2: the EventBridge Scheduler schedule's arguments, as the component builds them. */
  schedule?: any;
}

export interface LoadedInfra {
  created: Created[];
  find(kind: string, name: string): Created;
  all(kind: string): Created[];
  app: { name: string; removal: string; protect: boolean };
  outputs: Record<string, unknown>;
}

function standIns(created: Created[]) {
  const component = (kind: string) =>
    class {
      readonly arn: string;
      readonly name: string;
      readonly url: string;
      readonly value: string;
      readonly nodes: Record<string, unknown>;
      private readonly record: Created;
      constructor(name: string, args: any = {}) {
        this.record = { kind, name, args };
        created.push(this.record);
        this.arn = `arn:${kind}:${name}`;
        this.name = `${name}-name`;
        this.url = `https://${name}.url/`; // AWS function URLs end in a slash
        this.value = `secret:${name}`;
        // Only the nodes each SST component has: a wrong `.nodes` path fails here as it would in SST.
        const nodes: Record<string, Record<string, unknown>> = {
          Queue: { queue: { name: `${name}-queue-name` } },
          CronV2: {
            function: { name: `${name}Handler-function-name` },
            role: { arn: `arn:role:${name}Role` },
            schedule: { name: `${name}-schedule-name`, arn: `arn:schedule:${name}`, groupName: 'default' },
          },
          SnsTopic: { topic: { name: `${name}-topic-name` } },
          Function: { function: { name: `${name}-function-name` } },
          Dynamo: { table: { name: `${name}-name` } },
        };
        this.nodes = nodes[kind] ?? {};
        if (kind === 'CronV2') this.record.schedule = cronSchedule(name, args);
      }
      subscribe(subscriber: unknown, args: unknown) {
        // SST: "An SQS Queue can only have one subscriber."
        if (this.record.subscription) throw new Error(`Cannot subscribe to the "${this.record.name}" queue multiple times`);
        this.record.subscription = { subscriber, args };
        return { nodes: { function: { name: `${this.record.name}Subscriber-function-name` } } };
      }
    };
  const resource = (kind: string) =>
    class {
      readonly arn: string;
      constructor(name: string, args: unknown) {
        created.push({ kind, name, args });
        this.arn = `arn:${kind}:${name}`;
      }
    };
  return {
    sst: {
      aws: {
        Dynamo: component('Dynamo'),
        Queue: component('Queue'),
        Function: component('Function'),
        CronV2: component('CronV2'),
        SnsTopic: component('SnsTopic'),
      },
      Secret: component('Secret'),
    },
    aws: {
      cloudwatch: { MetricAlarm: resource('MetricAlarm') },
      sns: { TopicSubscription: resource('TopicSubscription') },
    },
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) => String.raw({ raw: strings }, ...values),
    $output: <T>(value: T) => ({ apply: <R>(fn: (v: T) => R) => fn(value) }),
    $config: (config: unknown) => config,
  };
}

/** As SST 4's CronV2 builds its schedule (flexible window off, retries default 0), then its transform. */
function cronSchedule(name: string, args: any) {
  const schedule: any = {
    scheduleExpression: args.schedule,
    scheduleExpressionTimezone: args.timezone,
    flexibleTimeWindow: { mode: 'OFF' },
    state: args.enabled === false ? 'DISABLED' : 'ENABLED',
    target: {
      arn: `arn:function:${name}Handler`,
      roleArn: `arn:role:${name}Role`,
      retryPolicy: { maximumRetryAttempts: args.retries ?? 0 },
      deadLetterConfig: args.dlq ? { arn: args.dlq } : undefined,
    },
  };
  const opts: Record<string, unknown> = {};
  const transform = args.transform?.schedule;
  if (typeof transform === 'function') transform(schedule, opts, `${name}Schedule`);
  else if (transform) Object.assign(schedule, transform);
  return { ...schedule, opts };
}

/** Runs the app for `stage` as `sst deploy --stage <stage>` would, with `env` as the deploying shell's environment. */
export async function loadInfra(stage = 'dev', env: Record<string, string> = {}): Promise<LoadedInfra> {
  const created: Created[] = [];
  vi.resetModules();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    Object.assign(globalThis, standIns(created));
    // Imported by path so the type-check (which has no SST types offline) does not follow it.
    const path = '../../sst.config.ts';
    const config = (await import(/* @vite-ignore */ path)).default as {
      app(input: { stage: string }): LoadedInfra['app'];
      run(): Promise<Record<string, unknown>>;
    };
    const app = config.app({ stage });
    Object.assign(globalThis, { $app: { name: app.name ?? 'scheduler', stage } });
    const outputs = await config.run();
    return {
      created,
      app,
      outputs,
      find: (kind, name) => {
        const found = created.find((c) => c.kind === kind && c.name === name);
        if (!found) throw new Error(`infra declares no ${kind} named ${name}`);
        return found;
      },
      all: (kind) => created.filter((c) => c.kind === kind),
    };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
