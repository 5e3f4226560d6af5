import type { Clock } from '../core/kernel/ports.js';

export const systemClock: Clock = { now: () => new Date() };

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
