// How much work the LB takes on at once: a count of jobs in progress and their summed weight
// (pixels of renders, bytes of key-value values). Beyond either limit a job is refused at once
// (429 for a render, 503 for a key-value operation) rather than queued without bound.

export interface AdmissionLimits {
  /** Jobs in progress at most. */
  maxJobs: number;
  /** Summed weight of the jobs in progress at most (a job heavier than this alone still runs when nothing else does). */
  maxWeight: number;
}

export class Admission {
  private jobs = 0;
  private weight = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /** A release function if the job may start now, or null if it must be refused. */
  tryAdmit(weight: number): (() => void) | null {
    if (this.jobs >= this.limits.maxJobs) return null;
    if (this.jobs > 0 && this.weight + weight > this.limits.maxWeight) return null;
    this.jobs++;
    this.weight += weight;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.jobs--;
      this.weight -= weight;
    };
  }

  get inProgress(): { jobs: number; weight: number } {
    return { jobs: this.jobs, weight: this.weight };
  }
}
