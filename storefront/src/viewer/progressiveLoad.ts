import type { ManifestLod } from '../lod/manifest';
import { LodScheduler } from '../lod/scheduler';
import type { LodTrace } from './trace';

/**
 * Fetches a manifest's LODs with the LodScheduler's rules and hands each one that may be
 * shown to `show`. Fetching and parsing are passed in (three's GLTFLoader in the browser),
 * so the loop itself runs in Node against a real HTTP server in the unit tests.
 */
export interface ProgressiveLoadOptions<T> {
  readonly lods: readonly ManifestLod[];
  readonly fetchImpl?: typeof fetch;
  readonly parse: (bytes: ArrayBuffer, lod: ManifestLod) => Promise<T>;
  readonly show: (model: T, lod: ManifestLod) => void;
  /** Called for a parsed model that will never be shown, so it can be freed. */
  readonly discard?: (model: T, lod: ManifestLod) => void;
  readonly onProgress?: (event: LoadProgress) => void;
  readonly trace?: LodTrace;
  readonly maxConcurrent?: number;
  /** The first LOD alone until it is shown (default): see LodScheduler. */
  readonly firstAlone?: boolean;
  readonly signal?: AbortSignal;
}

export interface LoadProgress {
  readonly loading: readonly string[];
  readonly shown: string | null;
  readonly failures: readonly LodFailure[];
  readonly finished: boolean;
}

export interface LodFailure {
  readonly lod: string;
  readonly reason: string;
}

/** Resolves when every LOD is shown, superseded, cancelled or failed; rejects only on abort. */
export async function loadProgressively<T>(options: ProgressiveLoadOptions<T>): Promise<LoadProgress> {
  const { lods } = options;
  const scheduler = new LodScheduler(
    lods.map((l) => l.name),
    options.maxConcurrent,
    options.firstAlone,
  );
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const controllers = new Map<number, AbortController>();
  const failures: LodFailure[] = [];

  const progress = (): LoadProgress => ({
    loading: lods.filter((_, i) => scheduler.phase(i) === 'loading').map((l) => l.name),
    shown: scheduler.shown >= 0 ? (lods[scheduler.shown]?.name ?? null) : null,
    failures: [...failures],
    finished: scheduler.finished,
  });

  const abortAll = (): void => controllers.forEach((c) => c.abort());
  options.signal?.addEventListener('abort', abortAll, { once: true });

  const loadOne = async (index: number): Promise<void> => {
    const lod = lods[index] as ManifestLod;
    const controller = new AbortController();
    controllers.set(index, controller);
    options.trace?.lodsRequested.push(lod.name);
    let model: T;
    try {
      const response = await fetchImpl(lod.url, { signal: controller.signal });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status} for ${lod.url}`);
      }
      model = await options.parse(await response.arrayBuffer(), lod);
    } catch (failure) {
      // An abort (ours or the caller's) is not a failure worth reporting.
      if (!controller.signal.aborted) {
        failures.push({ lod: lod.name, reason: failure instanceof Error ? failure.message : String(failure) });
      }
      scheduler.failed(index);
      return;
    } finally {
      controllers.delete(index);
    }
    if (options.signal?.aborted) {
      options.discard?.(model, lod);
      return;
    }
    const decision = scheduler.arrived(index);
    if (decision.show) {
      options.show(model, lod);
      options.trace?.lodsShown.push(lod.name);
      decision.cancel.forEach((i) => controllers.get(i)?.abort());
    } else {
      options.discard?.(model, lod);
    }
  };

  const running = new Set<Promise<void>>();
  const pump = (): void => {
    if (options.signal?.aborted) {
      return;
    }
    for (const index of scheduler.startNext()) {
      const task: Promise<void> = loadOne(index).then(() => {
        running.delete(task);
        options.onProgress?.(progress());
        pump();
      });
      running.add(task);
    }
  };
  pump();
  options.onProgress?.(progress());
  while (running.size > 0) {
    await Promise.race(running);
  }
  options.signal?.removeEventListener('abort', abortAll);
  if (options.signal?.aborted) {
    throw new DOMException('Progressive load aborted', 'AbortError');
  }
  return progress();
}
