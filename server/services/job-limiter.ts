import { AppError } from '../errors.ts';

export interface JobLimiterOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs allowed to wait; beyond that new jobs are refused (503) instead of piling up in memory. */
  maxQueue: number;
}

/** Runs CPU- and memory-heavy jobs (image rendering) a few at a time, with a bounded waiting line. */
export function createJobLimiter({ concurrency, maxQueue }: JobLimiterOptions) {
  let active = 0;
  const waiting: (() => void)[] = [];

  /** A finished job hands its slot straight to the next in line, so `active` never overshoots. */
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const run = async <T>(job: () => Promise<T>): Promise<T> => {
    if (active < concurrency) active++;
    else if (waiting.length >= maxQueue) throw new AppError('overloaded', 'Too many images are being processed, retry shortly', 503);
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      release();
    }
  };

  return {
    run,
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
  };
}

export type JobLimiter = ReturnType<typeof createJobLimiter>;
