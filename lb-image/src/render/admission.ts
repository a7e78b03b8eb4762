// How many renders the LB takes on at once. Each holds its whole image in memory (one byte per
// pixel, then the PNG) and keeps every cluster's render threads busy: past a few at a time the
// next one only makes all of them slower, and a flood of large ones would exhaust memory. Beyond
// either limit a render is refused at once (429) rather than queued.

export interface AdmissionLimits {
  /** Renders in progress at most. */
  maxRenders: number;
  /** Pixels of all renders in progress at most (a render bigger than this alone still runs when nothing else does). */
  maxPixels: number;
}

export class RenderAdmission {
  private renders = 0;
  private pixels = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /** A release function if the render may start now, or null if it must be refused. */
  tryAdmit(pixels: number): (() => void) | null {
    if (this.renders >= this.limits.maxRenders) return null;
    if (this.renders > 0 && this.pixels + pixels > this.limits.maxPixels) return null;
    this.renders++;
    this.pixels += pixels;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.renders--;
      this.pixels -= pixels;
    };
  }

  get inProgress(): { renders: number; pixels: number } {
    return { renders: this.renders, pixels: this.pixels };
  }
}
