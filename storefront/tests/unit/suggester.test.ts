import { describe, expect, it } from 'vitest';
import { Suggester } from '../../src/search/suggester';

/** A clock the test moves by hand, so the debounce is checked without waiting. */
class Clock {
  private timers: { at: number; run: () => void; id: number }[] = [];
  private now = 0;
  private next = 0;
  set = (run: () => void, ms: number): unknown => {
    this.next += 1;
    this.timers.push({ at: this.now + ms, run, id: this.next });
    return this.next;
  };
  clear = (id: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    due.forEach((t) => t.run());
  }
}

interface Deferred {
  text: string;
  resolve: (items: string[]) => void;
  reject: (failure: Error) => void;
  signal: AbortSignal;
}

function setUp() {
  const clock = new Clock();
  const asked: Deferred[] = [];
  const shown: [string, readonly string[]][] = [];
  const failures: string[] = [];
  const suggester = new Suggester<string>({
    fetch: (text, signal) =>
      new Promise((resolve, reject) => {
        asked.push({ text, resolve, reject, signal });
      }),
    show: (text, items) => shown.push([text, items]),
    failed: (text) => failures.push(text),
    delayMs: 150,
    minChars: 2,
    setTimer: clock.set,
    clearTimer: clock.clear,
  });
  return { clock, asked, shown, failures, suggester };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('Suggester', () => {
  it('sends one request per pause in typing, for the text typed last', () => {
    const { clock, asked, suggester } = setUp();
    for (const text of ['wa', 'wal', 'waln', 'walnu']) {
      suggester.typed(text);
      clock.advance(100);
    }
    expect(asked).toEqual([]);
    clock.advance(50);
    expect(asked.map((a) => a.text)).toEqual(['walnu']);
  });

  it('shows nothing and asks nothing for texts shorter than the minimum', () => {
    const { clock, asked, shown, suggester } = setUp();
    suggester.typed(' w ');
    clock.advance(1000);
    expect(asked).toEqual([]);
    expect(shown).toEqual([['w', []]]);
  });

  it('drops a slow answer to an earlier text and aborts its request', async () => {
    const { clock, asked, shown, suggester } = setUp();
    suggester.typed('ch');
    clock.advance(150);
    suggester.typed('chai');
    clock.advance(150);
    expect(asked[0]?.signal.aborted).toBe(true);
    asked[1]?.resolve(['Chair']);
    asked[0]?.resolve(['Chest', 'Chandelier']);
    await settle();
    expect(shown).toEqual([['chai', ['Chair']]]);
  });

  it('after cancel (Escape, a search sent) shows no answer that arrives later', async () => {
    const { clock, asked, shown, failures, suggester } = setUp();
    suggester.typed('lamp');
    clock.advance(150);
    suggester.cancel();
    asked[0]?.reject(new Error('aborted'));
    await settle();
    expect(shown).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('reports a failure of the latest text', async () => {
    const { clock, asked, failures, suggester } = setUp();
    suggester.typed('lamp');
    clock.advance(150);
    asked[0]?.reject(new Error('503'));
    await settle();
    expect(failures).toEqual(['lamp']);
  });
});
