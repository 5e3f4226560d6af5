/**
 * Domain errors. Each sets `name` and carries its `cause`, so a log shows the chain
 * and callers branch on the class, never on message text. HTTP statuses for them
 * live in one place: functions/http/errors.ts.
 */

export interface FieldProblem {
  path: string;
  message: string;
}

export class SchedulerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule; `details` names each field and what is wrong with it. */
export class ValidationError extends SchedulerError {
  constructor(
    message: string,
    readonly details: FieldProblem[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class JobNotFoundError extends SchedulerError {
  constructor(readonly jobId: string) {
    super(`job ${jobId} does not exist`);
  }
}

export class JobNameTakenError extends SchedulerError {
  constructor(readonly jobName: string) {
    super(`a job named "${jobName}" already exists`);
  }
}

/** A conditional write lost: someone else changed the item first. */
export class ConcurrentUpdateError extends SchedulerError {}

/** An Idempotency-Key sent before with another body (HTTP 422). */
export class IdempotencyKeyReusedError extends SchedulerError {
  constructor(readonly key: string) {
    super(`Idempotency-Key "${key}" was sent before with another body`);
  }
}

/** A create with this Idempotency-Key is still under way (HTTP 409). */
export class IdempotencyInProgressError extends SchedulerError {
  constructor(readonly key: string) {
    super(`a create with Idempotency-Key "${key}" is under way; send it again in a moment`);
  }
}

/** An enqueue whose uniqueKey is held by a task not yet final. */
export class UniqueKeyTakenError extends SchedulerError {
  constructor(
    readonly uniqueKey: string,
    /** The execution id of the task that holds it. */
    readonly holder: string,
  ) {
    super(`uniqueKey "${uniqueKey}" is held by execution ${holder}, which has not finished`);
  }
}

/** A change asked for one version of a job (If-Match), and the job is at another. */
export class VersionMismatchError extends SchedulerError {
  constructor(
    readonly jobId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`job ${jobId} is at version ${actual}, not ${expected}`);
  }
}

/** A backing service (DynamoDB, SQS) could not be reached or refused to serve. */
export class StoreUnavailableError extends SchedulerError {}

/** The backing service throttled us (its rate limits): a client may try again in a moment (HTTP 429). */
export class ThrottledError extends StoreUnavailableError {}

/** A message the queue refused for what it carries: sending it again the same way cannot succeed. */
export interface RefusedMessage {
  /** The occurrence keys the message carried (several for a bundle). */
  keys: string[];
  /** The queue's error code (`InvalidMessageContents`, `BatchRequestTooLong`, `MessageTooLong`...). */
  code: string;
  message: string;
}

/** Thrown by a Queue only after everything it could send went out: lists what it refused. */
export class SendFailedError extends SchedulerError {
  constructor(
    readonly refused: RefusedMessage[],
    options?: { cause?: unknown },
  ) {
    super(`the queue refused ${refused.length} message(s): ${refused.map((r) => `${r.keys.join(', ')}: ${r.code}`).join('; ')}`, options);
  }
}

/** Code asked for a handler that is not registered. */
export class UnknownHandlerError extends SchedulerError {
  constructor(readonly handlerName: string) {
    super(`no handler is registered under the name "${handlerName}"`);
  }
}

/** Two handlers defined under one name: a job naming it could mean either. */
export class DuplicateHandlerError extends SchedulerError {
  constructor(readonly handlerName: string) {
    super(`a handler named "${handlerName}" is already registered`);
  }
}

/**
 * The tick's schedule could not be read or changed (EventBridge Scheduler refused,
 * throttled, failed, or no schedule is configured). `reason` says which, for the
 * answer; the cause keeps the service's own error.
 */
export class TickScheduleError extends SchedulerError {
  constructor(
    readonly reason: 'not_found' | 'throttled' | 'unavailable' | 'refused' | 'not_configured',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
