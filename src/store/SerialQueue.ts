/**
 * Runs async jobs one at a time, in arrival order. The embedded database has
 * a single connection, so a transaction must own it from BEGIN to COMMIT.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    // The next job waits for this one to settle, whatever its outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
