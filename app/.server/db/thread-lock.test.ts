import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { ThreadLock } from "./thread-lock.ts";

/** A thread that, `rounds` times, takes the lock, reads the shared counter, lets its loop turn, writes counter + 1, lets go. */
function incrementer(buffer: SharedArrayBuffer, counter: SharedArrayBuffer, participant: number, rounds: number, locked: boolean): Promise<void> {
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    import(workerData.module).then(async ({ ThreadLock }) => {
      const lock = new ThreadLock(workerData.buffer, workerData.participant);
      const n = new Int32Array(workerData.counter);
      for (let i = 0; i < workerData.rounds; i++) {
        if (workerData.locked) await lock.lock();
        const seen = Atomics.load(n, 0);
        await new Promise((r) => setImmediate(r));
        Atomics.store(n, 0, seen + 1);
        if (workerData.locked) lock.unlock();
      }
      parentPort.postMessage("done");
    });
  `;
  const worker = new Worker(code, { eval: true, workerData: { module: new URL("./thread-lock.ts", import.meta.url).href, buffer, counter, participant, rounds, locked } });
  return new Promise((resolve, reject) => {
    worker.once("message", () => void worker.terminate().then(() => resolve()));
    worker.once("error", reject);
  });
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe("ThreadLock", () => {
  it("lets one thread at a time in: no increment is lost across threads (and without it some are)", async () => {
    const run = async (locked: boolean) => {
      const buffer = ThreadLock.createBuffer();
      const counter = new SharedArrayBuffer(4);
      await Promise.all([incrementer(buffer, counter, 1, 300, locked), incrementer(buffer, counter, 2, 300, locked), incrementer(buffer, counter, 3, 300, locked)]);
      return new Int32Array(counter)[0];
    };
    expect(await run(true)).toBe(900);
    expect(await run(false)).toBeLessThan(900);
  });

  it("hands the lock to the waiting participant when the holder lets go (turn about, no starving)", async () => {
    const buffer = ThreadLock.createBuffer();
    const a = new ThreadLock(buffer, 1);
    const b = new ThreadLock(buffer, 2);
    await a.lock();
    const bGets = b.lock();
    expect(await settled(bGets)).toBe(false);
    a.unlock();
    const aAgain = a.lock();
    await bGets;
    expect(await settled(aAgain)).toBe(false);
    b.unlock();
    await aAgain;
    a.unlock();
    expect(new Int32Array(buffer)[0]).toBe(0);
  });

  it("frees what a dead participant held, for the one waiting", async () => {
    const buffer = ThreadLock.createBuffer();
    const dead = new ThreadLock(buffer, 2);
    const alive = new ThreadLock(buffer, 1);
    await dead.lock();
    const waiting = alive.lock();
    expect(await settled(waiting)).toBe(false);
    ThreadLock.releaseDead(buffer, 2);
    await waiting;
    alive.unlock();
    // Not held by the dead one: releasing it changes nothing.
    await alive.lock();
    ThreadLock.releaseDead(buffer, 2);
    expect(new Int32Array(buffer)[0]).toBe(1);
    alive.unlock();
  });

  it("refuses an unlock by a thread that does not hold it, and participant numbers outside the buffer", async () => {
    const buffer = ThreadLock.createBuffer(2);
    expect(() => new ThreadLock(buffer, 3)).toThrow(RangeError);
    expect(() => new ThreadLock(buffer, 0)).toThrow(RangeError);
    expect(() => new ThreadLock(buffer, 1).unlock()).toThrow(/does not hold/);
  });
});
