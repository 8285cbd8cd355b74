/** Mutual exclusion across every context that shares the tokens (worker versions, tabs). */
export interface RefreshLock {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** A lock for one JavaScript context: tasks run one at a time, in call order. */
export function createLocalLock(): RefreshLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
