/**
 * Deploy-time settings, read from the shell that runs `sst deploy` (never from the
 * repo): which stage holds real data, where alarms go, which origins may call the API.
 */
import { loadCorsOrigins } from '../functions/config';

/** Stages that hold real data; sst.config.ts keeps the same list (it may not import). */
export const PRODUCTION_STAGES = ['prod', 'production'];

export const production = PRODUCTION_STAGES.includes($app.stage);

/** Resource names people read in the console and in alarms: the app, the stage, the part. */
export const stageName = (part: string) => `${$app.name}-${$app.stage}-${part}`;

/**
 * Comma-separated origins a browser page may call the API from; none by default. Checked
 * here as the API checks it, so a typo fails the deploy rather than every cold start.
 */
export const corsOrigins = loadCorsOrigins({ SCHEDULER_CORS_ORIGINS: process.env.SCHEDULER_CORS_ORIGINS }).join(',');

/** An address SNS mails the alarms to (it asks for a confirmation first); optional. */
export const alarmEmail = process.env.SCHEDULER_ALARM_EMAIL?.trim() || undefined;

/** How long CloudWatch keeps each function's logs. */
export const logRetention = production ? '3 months' : '1 month';

/** Seconds the oldest message may wait in the work queue before the OldestMessage alarm (see infra/alarms.ts). */
export const oldestMessageAlarmSeconds = (() => {
  const raw = process.env.SCHEDULER_ALARM_OLDEST_MESSAGE_AGE?.trim();
  if (!raw) return 3600;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 60) {
    throw new Error(`SCHEDULER_ALARM_OLDEST_MESSAGE_AGE must be a whole number of seconds, at least 60, got "${raw}"`);
  }
  return seconds;
})();
