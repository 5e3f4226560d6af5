/**
 * A process that can die. Its deps pass through `Life`: once it is killed, every
 * port call and every sleep it makes never settles, as nothing a dead process
 * does reaches a store. `crashAtCall` makes it throw at its n-th port call
 * instead (a tick that fails half-way), or die there (`dieAtCall`).
 */
export class TickCrash extends Error {
  override name = 'TickCrash';
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

export class Life {
  dead = false;
  private calls = 0;

  constructor(
    readonly name: string,
    private readonly fate: { crashAtCall?: number; dieAtCall?: number } = {},
    /** Told once when it dies. */
    private readonly onDeath?: () => void,
  ) {}

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.onDeath?.();
  }

  /** Wraps one port: calls made after death never settle. */
  port<T extends object>(port: T, label: string): T {
    return new Proxy(port, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.dead) return never();
          this.calls++;
          if (this.calls === this.fate.crashAtCall)
            return Promise.reject(new TickCrash(`${this.name} crashed at ${label}.${String(property)}`));
          if (this.calls === this.fate.dieAtCall) {
            this.kill();
            return never();
          }
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          // Died while the call was on its way: the caller never hears back.
          return result instanceof Promise
            ? result.then(
                (r) => (this.dead ? never() : r),
                (e: unknown) => (this.dead ? never() : Promise.reject(e)),
              )
            : result;
        };
      },
    });
  }

  sleep(sleep: (ms: number) => Promise<void>): (ms: number) => Promise<void> {
    return (ms) => (this.dead ? never() : sleep(ms).then(() => (this.dead ? never() : undefined)));
  }
}

export interface Ports {
  jobs: object;
  executions: object;
  queue: object;
  dispatchLog: object;
  due: object;
  claims: object;
  sleep: (ms: number) => Promise<void>;
}

/** The deps as seen from inside a process with this life. */
export function mortal<D extends Ports>(deps: D, life: Life): D {
  return {
    ...deps,
    jobs: life.port(deps.jobs, 'jobs'),
    executions: life.port(deps.executions, 'executions'),
    queue: life.port(deps.queue, 'queue'),
    dispatchLog: life.port(deps.dispatchLog, 'dispatchLog'),
    due: life.port(deps.due, 'due'),
    claims: life.port(deps.claims, 'claims'),
    sleep: life.sleep(deps.sleep),
  };
}
