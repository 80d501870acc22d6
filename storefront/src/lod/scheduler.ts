/**
 * Decides which LOD to fetch next and whether an arrived LOD may be shown.
 *
 * Pure logic (no I/O) so the ordering rules are unit-tested on their own:
 * - requests start coarse to fine (preview first), at most `maxConcurrent` at once;
 * - with `firstAlone`, the first LOD is fetched alone until it is shown or has failed: on a
 *   slow link a finer LOD in parallel takes half the bandwidth and delays the first frame
 *   (measured by bench/pages);
 * - an arrived LOD is shown only if it is finer than the one on screen, so a coarse
 *   LOD that arrives late never replaces a finer one;
 * - once a LOD is shown, coarser LODs still in flight are cancelled: they could never
 *   be shown. (Requests start coarse to fine, so no coarser LOD is still waiting.)
 */

export type LodPhase = 'waiting' | 'loading' | 'shown' | 'superseded' | 'failed' | 'cancelled';

export interface ArrivalDecision {
  /** true when the arrived LOD must replace what is on screen. */
  readonly show: boolean;
  /** Indices of coarser LODs still in flight that the caller should abort. */
  readonly cancel: readonly number[];
}

export class LodScheduler {
  private readonly phases: LodPhase[];
  private shownIndex = -1;

  constructor(
    readonly levels: readonly string[],
    private readonly maxConcurrent = 2,
    private readonly firstAlone = true,
  ) {
    if (levels.length === 0) {
      throw new Error('LodScheduler needs at least one LOD level');
    }
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new Error(`maxConcurrent must be an integer >= 1, got ${String(maxConcurrent)}`);
    }
    this.phases = levels.map(() => 'waiting');
  }

  /** Index of the LOD on screen, -1 before the first one is shown. */
  get shown(): number {
    return this.shownIndex;
  }

  phase(index: number): LodPhase {
    this.checkIndex(index);
    return this.phases[index] as LodPhase;
  }

  /** Marks the next LODs as loading and returns their indices, coarse to fine. */
  startNext(): number[] {
    const started: number[] = [];
    let inFlight = this.phases.filter((p) => p === 'loading').length;
    const waitingForFirst = this.firstAlone && this.shownIndex < 0;
    const slots = waitingForFirst ? 1 : this.maxConcurrent;
    for (let i = 0; i < this.phases.length && inFlight < slots; i += 1) {
      if (this.phases[i] === 'waiting') {
        this.phases[i] = 'loading';
        started.push(i);
        inFlight += 1;
      }
    }
    return started;
  }

  arrived(index: number): ArrivalDecision {
    // An abort can lose the race with the response: a cancelled LOD is dropped.
    if (this.phase(index) === 'cancelled') {
      return { show: false, cancel: [] };
    }
    this.expectLoading(index, 'arrived');
    if (index < this.shownIndex) {
      this.phases[index] = 'superseded';
      return { show: false, cancel: [] };
    }
    if (this.shownIndex >= 0) {
      this.phases[this.shownIndex] = 'superseded';
    }
    this.phases[index] = 'shown';
    this.shownIndex = index;
    const cancel: number[] = [];
    for (let i = 0; i < index; i += 1) {
      if (this.phases[i] === 'loading') {
        this.phases[i] = 'cancelled';
        cancel.push(i);
      }
    }
    return { show: true, cancel };
  }

  failed(index: number): void {
    if (this.phase(index) === 'cancelled') {
      return;
    }
    this.expectLoading(index, 'failed');
    this.phases[index] = 'failed';
  }

  /** True when nothing is loading or waiting any more. */
  get finished(): boolean {
    return this.phases.every((p) => p !== 'loading' && p !== 'waiting');
  }

  /** True when the finest LOD is on screen. */
  get complete(): boolean {
    return this.shownIndex === this.levels.length - 1;
  }

  private expectLoading(index: number, event: string): void {
    this.checkIndex(index);
    const phase = this.phases[index];
    if (phase !== 'loading') {
      throw new Error(`LOD ${this.levels[index] ?? index} ${event} while ${String(phase)}, expected loading`);
    }
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.levels.length) {
      throw new RangeError(`LOD index ${index} out of range 0..${this.levels.length - 1}`);
    }
  }
}
