/**
 * Resolves to undefined when the promise takes longer than `ms` (the promise itself keeps running;
 * a rejection after that is handled and ignored). Every Slack request waits on one: a single
 * promise and timer, not an async function around Promise.race.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const timer = setTimeout(resolve, ms, undefined);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
