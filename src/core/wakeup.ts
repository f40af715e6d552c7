/**
 * "Something changed": `wait()` resolves at the next `notify()`, which wakes every waiter once. For loops that
 * re-check their own state after each wake (read-ahead channels, pipelines), so a wake with nothing new is harmless.
 */
export class Wakeup {
  #waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
