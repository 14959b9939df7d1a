import { describe, expect, it, vi } from 'vitest';
import { withTimeout } from '../../src/with-timeout.js';

describe('withTimeout', () => {
  it('gives the value of a promise that settles in time, and its rejection', async () => {
    await expect(withTimeout(Promise.resolve('quick'), 1_000)).resolves.toBe('quick');
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000)).rejects.toThrow('refused');
  });

  it('gives undefined once the time is up; a later rejection is handled, not reported as unhandled', async () => {
    // Only the timers withTimeout uses are faked: setImmediate below lets Node report an unhandled rejection.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let fail!: (error: Error) => void;
      const slow = new Promise<string>((_, reject) => (fail = reject));
      const result = withTimeout(slow, 2_000);
      await vi.advanceTimersByTimeAsync(2_000);
      await expect(result).resolves.toBeUndefined();
      const unhandled = vi.fn();
      process.on('unhandledRejection', unhandled);
      fail(new Error('too late'));
      await vi.advanceTimersByTimeAsync(10);
      await new Promise((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', unhandled);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves no timer behind when the promise settles first', async () => {
    vi.useFakeTimers();
    try {
      await withTimeout(Promise.resolve(1), 60_000);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
