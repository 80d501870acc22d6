import { describe, expect, it } from 'vitest';
import { LodScheduler } from '../../src/lod/scheduler';

const LEVELS = ['preview', 'standard', 'high'];

describe('LodScheduler', () => {
  it('fetches the first LOD alone, then up to maxConcurrent once it is shown', () => {
    const s = new LodScheduler(LEVELS, 2);
    expect(s.startNext()).toEqual([0]);
    expect(s.startNext()).toEqual([]);
    expect(s.arrived(0)).toEqual({ show: true, cancel: [] });
    expect(s.startNext()).toEqual([1, 2]);
  });

  it('moves on alone to the next LOD when the first one fails', () => {
    const s = new LodScheduler(LEVELS, 2);
    expect(s.startNext()).toEqual([0]);
    s.failed(0);
    expect(s.startNext()).toEqual([1]);
  });

  it('starts the preview first and never more than maxConcurrent at once', () => {
    const s = new LodScheduler(LEVELS, 2, false);
    expect(s.startNext()).toEqual([0, 1]);
    expect(s.startNext()).toEqual([]);
    expect(s.arrived(0)).toEqual({ show: true, cancel: [] });
    expect(s.startNext()).toEqual([2]);
  });

  it('with one slot loads strictly coarse to fine', () => {
    const s = new LodScheduler(LEVELS, 1);
    const order: number[] = [];
    for (let step = 0; step < 3; step += 1) {
      const [next] = s.startNext();
      order.push(next as number);
      expect(s.arrived(next as number).show).toBe(true);
    }
    expect(order).toEqual([0, 1, 2]);
    expect(s.complete).toBe(true);
    expect(s.finished).toBe(true);
  });

  it('never replaces a finer LOD with a coarser one that arrives late', () => {
    const s = new LodScheduler(LEVELS, 3, false);
    expect(s.startNext()).toEqual([0, 1, 2]);
    expect(s.arrived(2)).toEqual({ show: true, cancel: [0, 1] });
    expect(s.phase(0)).toBe('cancelled');
    // The aborts lost the race: the late arrivals are dropped, the high LOD stays.
    expect(s.arrived(1).show).toBe(false);
    expect(s.arrived(0).show).toBe(false);
    expect(s.shown).toBe(2);
    expect(s.finished).toBe(true);
  });

  it('drops a coarse LOD that finishes after a finer one was shown', () => {
    const s = new LodScheduler(LEVELS, 2, false);
    s.startNext();
    expect(s.arrived(1)).toEqual({ show: true, cancel: [0] });
    expect(s.startNext()).toEqual([2]);
    expect(s.arrived(2).show).toBe(true);
    expect(s.phase(1)).toBe('superseded');
  });

  it('moves on to the next LOD when one fails, and reports when all are done', () => {
    const s = new LodScheduler(LEVELS, 2, false);
    s.startNext();
    s.failed(0);
    expect(s.shown).toBe(-1);
    expect(s.startNext()).toEqual([2]);
    s.failed(1);
    s.failed(2);
    expect(s.finished).toBe(true);
    expect(s.complete).toBe(false);
    expect(s.shown).toBe(-1);
  });

  it('refuses events that cannot happen, naming the LOD and its state', () => {
    const s = new LodScheduler(LEVELS, 1);
    expect(() => s.arrived(0)).toThrow(/preview arrived while waiting, expected loading/);
    expect(() => s.phase(3)).toThrow(/out of range 0..2/);
    expect(() => new LodScheduler([], 1)).toThrow(/at least one LOD/);
    expect(() => new LodScheduler(LEVELS, 0)).toThrow(/maxConcurrent must be an integer >= 1/);
  });
});
