/**
 * Suggestions as the shopper types: each keystroke restarts a short wait (debounce), so a fast
 * typist sends one request per pause, not per key; only the answer to the latest text is shown
 * (an earlier, slower answer that arrives late is dropped). The search API matches the last
 * word as a prefix, so "walnut cha" already suggests "Walnut chair".
 */

export interface SuggesterOptions<T> {
  readonly fetch: (text: string, signal: AbortSignal) => Promise<readonly T[]>;
  readonly show: (text: string, items: readonly T[]) => void;
  readonly failed?: (text: string, failure: unknown) => void;
  readonly delayMs?: number;
  /** Shorter texts are not sent: one-letter prefixes match much of the catalog and are slow. */
  readonly minChars?: number;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
}

export const SUGGEST_DELAY_MS = 150;
export const SUGGEST_MIN_CHARS = 2;

export class Suggester<T> {
  private timer: unknown = null;
  private inFlight: AbortController | null = null;
  private latest = '';
  private readonly delayMs: number;
  private readonly minChars: number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: SuggesterOptions<T>) {
    this.delayMs = options.delayMs ?? SUGGEST_DELAY_MS;
    this.minChars = options.minChars ?? SUGGEST_MIN_CHARS;
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** The input's text changed. */
  typed(raw: string): void {
    const text = raw.trim();
    this.cancel();
    this.latest = text;
    if (text.length < this.minChars) {
      this.options.show(text, []);
      return;
    }
    this.timer = this.setTimer(() => void this.run(text), this.delayMs);
  }

  /** Nothing pending and no answer shown later (Escape, a search submitted, navigation). */
  cancel(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    this.inFlight?.abort();
    this.inFlight = null;
    this.latest = '';
  }

  private async run(text: string): Promise<void> {
    this.timer = null;
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const items = await this.options.fetch(text, controller.signal);
      if (!controller.signal.aborted && this.latest === text) {
        this.options.show(text, items);
      }
    } catch (failure) {
      if (!controller.signal.aborted && this.latest === text) {
        this.options.failed?.(text, failure);
      }
    } finally {
      if (this.inFlight === controller) this.inFlight = null;
    }
  }
}
