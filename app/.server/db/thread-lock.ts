/**
 * One SQLite connection in use at a time across this process's threads (the main thread and the
 * job thread each have their own connection to the same file).
 *
 * Without it the two connections meet only in SQLite's busy handler, which sleeps and polls (up
 * to 100 ms a try): under a burst of paid orders the main thread took the write lock again and
 * again between the job thread's polls, the job thread's writes failed with "database is locked"
 * after busy_timeout, and jobs whose bookkeeping failed that way sat `running` until the sweeper's
 * lock timeout. Here a waiting thread is woken the moment the lock is free, and a thread that lets
 * go while another waits hands the lock straight to it (turn about), so neither can starve.
 *
 * Shared memory: cell 0 holds the owner's participant number (0 = free); cell p is 1 while
 * participant p waits. At most one waiter per thread reaches here (Kysely queues each thread's
 * callers on its own connection lock first). Other processes (the CLI) still meet the app in
 * SQLite's busy handler.
 */
export class ThreadLock {
  private readonly cells: Int32Array;
  private readonly me: number;

  /** Room for participants 1‥max; every thread of the process gets the same buffer and its own number. */
  static createBuffer(max = 4): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (max + 1));
  }

  constructor(buffer: SharedArrayBuffer, participant: number) {
    this.cells = new Int32Array(buffer);
    if (!Number.isInteger(participant) || participant < 1 || participant >= this.cells.length) throw new RangeError(`participant must be 1..${this.cells.length - 1}`);
    this.me = participant;
  }

  async lock(): Promise<void> {
    Atomics.store(this.cells, this.me, 1);
    for (;;) {
      const owner = Atomics.compareExchange(this.cells, 0, 0, this.me);
      // Free and now ours, or handed to us by the thread that let go.
      if (owner === 0 || owner === this.me) break;
      // The timeout only bounds the cost of a missed wake-up; notify is what normally ends the wait.
      const wait = Atomics.waitAsync(this.cells, 0, owner, 200);
      if (!wait.async) continue;
      // A pending waitAsync does not keep Node's event loop running: a thread with nothing else
      // to do would exit while waiting its turn.
      const keepAlive = setTimeout(() => {}, 1_000);
      await wait.value;
      clearTimeout(keepAlive);
    }
    Atomics.store(this.cells, this.me, 0);
  }

  unlock(): void {
    if (Atomics.load(this.cells, 0) !== this.me) throw new Error("unlock by a thread that does not hold the lock");
    ThreadLock.passOn(this.cells, this.me);
  }

  /**
   * A thread that died cannot let go: the thread that saw it exit frees what it held and forgets
   * that it was waiting.
   */
  static releaseDead(buffer: SharedArrayBuffer, participant: number): void {
    const cells = new Int32Array(buffer);
    Atomics.store(cells, participant, 0);
    if (Atomics.load(cells, 0) === participant) ThreadLock.passOn(cells, participant);
  }

  /** To the next waiting participant after `from` (round robin), or free. */
  private static passOn(cells: Int32Array, from: number): void {
    const n = cells.length - 1;
    let next = 0;
    for (let i = 1; i <= n; i++) {
      const p = ((from - 1 + i) % n) + 1;
      if (p !== from && Atomics.load(cells, p) === 1) {
        next = p;
        break;
      }
    }
    Atomics.store(cells, 0, next);
    Atomics.notify(cells, 0);
  }
}
