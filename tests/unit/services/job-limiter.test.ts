import { describe, expect, it } from 'vitest';
import { createJobLimiter } from '../../../server/services/job-limiter.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('createJobLimiter', () => {
  it('runs at most `concurrency` jobs, queues up to `maxQueue`, refuses the rest with 503', async () => {
    const limiter = createJobLimiter({ concurrency: 2, maxQueue: 1 });
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const job = (gate: ReturnType<typeof deferred>) => async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
      return 'done';
    };
    const first = limiter.run(job(gates[0]!));
    const second = limiter.run(job(gates[1]!));
    const third = limiter.run(job(gates[2]!));
    await expect(limiter.run(async () => 'x')).rejects.toMatchObject({ code: 'overloaded', status: 503 });
    expect([limiter.active, limiter.queued]).toEqual([2, 1]);
    gates[0]!.resolve();
    await first;
    // The freed slot went straight to the queued job: a newcomer cannot overtake it.
    expect([limiter.active, limiter.queued]).toEqual([2, 0]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all([second, third])).toEqual(['done', 'done']);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('releases the slot when a job fails', async () => {
    const limiter = createJobLimiter({ concurrency: 1, maxQueue: 0 });
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 42)).toBe(42);
  });
});
