import { describe, expect, it } from "vitest";
import { JOB_NAMES } from "../jobs/job-names.ts";
import { JOB_THREAD_QUEUES, MAIN_THREAD_QUEUES } from "./job-thread.ts";

describe("the server's threads between them run every queue", () => {
  it("each queue is the main thread's or the job thread's, never both, never neither (a forgotten queue would wait forever)", () => {
    expect([...MAIN_THREAD_QUEUES, ...JOB_THREAD_QUEUES].sort()).toEqual([...JOB_NAMES].sort());
  });
});
