import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type ManifestLod } from '../../src/lod/manifest';
import { loadProgressively } from '../../src/viewer/progressiveLoad';
import type { LodTrace } from '../../src/viewer/trace';
import { startServer, type RunningServer } from '../support/httpServer';
import { manifestJson } from '../support/manifestFixture';

/**
 * The loading loop against a real HTTP server whose per-LOD delay the URL sets:
 * /<scenario>/<lod>.glb answers after delays[scenario][lod] ms with the LOD's name as body.
 */
const DELAYS: Record<string, Record<string, number | 'missing'>> = {
  inOrder: { preview: 5, standard: 40, high: 80 },
  previewLate: { preview: 400, standard: 10, high: 60 },
  standardMissing: { preview: 5, standard: 'missing', high: 30 },
  slow: { preview: 2000, standard: 2000, high: 2000 },
};

let server: RunningServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const [, scenario = '', file = ''] = (req.url ?? '').split('/');
    const lod = file.replace('.glb', '');
    const delay = DELAYS[scenario]?.[lod];
    if (delay === undefined || delay === 'missing') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const timer = setTimeout(() => res.end(lod), delay);
    res.on('close', () => clearTimeout(timer));
  });
});

afterAll(async () => {
  await server.close();
});

function lodsOf(scenario: string): readonly ManifestLod[] {
  return parseManifest(manifestJson(), `${server.url}${scenario}/manifest.json`).lods;
}

async function run(scenario: string, maxConcurrent: number, signal?: AbortSignal, firstAlone = false) {
  const trace: LodTrace = { lodsRequested: [], lodsShown: [], firstFrameAt: null };
  const shown: string[] = [];
  const discarded: string[] = [];
  const result = await loadProgressively({
    lods: lodsOf(scenario),
    parse: async (bytes) => new TextDecoder().decode(bytes),
    show: (model, lod) => {
      expect(model).toBe(lod.name); // the bytes of that LOD, not another's
      shown.push(model);
    },
    discard: (model) => discarded.push(model),
    trace,
    maxConcurrent,
    firstAlone,
    ...(signal ? { signal } : {}),
  });
  return { result, trace, shown, discarded };
}

describe('loadProgressively', () => {
  it('fetches the preview alone first: a fast standard waits for it and is shown after it', async () => {
    const { trace, shown } = await run('previewLate', 3, undefined, true);
    expect(trace.lodsRequested).toEqual(['preview', 'standard', 'high']);
    expect(shown).toEqual(['preview', 'standard', 'high']);
  });

  it('requests the preview first and shows every LOD coarse to fine', async () => {
    const { result, trace, shown } = await run('inOrder', 2);
    expect(trace.lodsRequested).toEqual(['preview', 'standard', 'high']);
    expect(shown).toEqual(['preview', 'standard', 'high']);
    expect(trace.lodsShown).toEqual(shown);
    expect(result).toMatchObject({ shown: 'high', finished: true, failures: [] });
  });

  it('never shows a preview that arrives after a finer LOD: it is aborted instead', async () => {
    const { result, trace, shown } = await run('previewLate', 3);
    expect(trace.lodsRequested[0]).toBe('preview');
    expect(shown).toEqual(['standard', 'high']);
    expect(result.failures).toEqual([]);
    expect(result.shown).toBe('high');
  });

  it('skips a LOD that fails and reports it, still reaching the finest', async () => {
    const { result, shown } = await run('standardMissing', 1);
    expect(shown).toEqual(['preview', 'high']);
    expect(result.failures).toEqual([{ lod: 'standard', reason: expect.stringMatching(/HTTP 404 for .*standard\.glb/) }]);
  });

  it('stops and rejects when the page goes away', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expect(run('slow', 2, controller.signal)).rejects.toThrow(/aborted/);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
