import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lod/manifest';
import { manifestJson } from '../support/manifestFixture';

const URL_OF_MANIFEST = 'https://shop.example/assets/HELMET-1/ab12cd34/manifest.json';

describe('parseManifest', () => {
  it('resolves LOD urls against the manifest URL and keeps the coarse-to-fine order', () => {
    const manifest = parseManifest(manifestJson(), URL_OF_MANIFEST);
    expect(manifest.lods.map((l) => l.name)).toEqual(['preview', 'standard', 'high']);
    expect(manifest.lods[0]?.url).toBe('https://shop.example/assets/HELMET-1/ab12cd34/preview.glb');
    expect(manifest.lods[0]?.textureMaxPx).toBe(256);
    expect(manifest.lods[2]?.textureMaxPx).toBeNull();
    expect(manifest.contentHash).toBe('ab12cd34');
  });

  it('accepts a manifest with fewer LODs (a small model may only have one)', () => {
    const lods = (manifestJson().lods as unknown[]).slice(2);
    expect(parseManifest(manifestJson({ lods }), URL_OF_MANIFEST).lods).toHaveLength(1);
  });

  it.each([
    [{ version: 2 }, /manifest.version must be 1, got 2/],
    [{ lods: [] }, /manifest.lods must be a non-empty array/],
    [{ bbox: { min: [0, 0], max: [1, 1, 1] } }, /manifest.bbox.min must be \[x, y, z\]/],
    [{ sku: '' }, /manifest.sku must be a non-empty string/],
  ])('rejects %j with a message naming the field', (overrides, message) => {
    expect(() => parseManifest(manifestJson(overrides), URL_OF_MANIFEST)).toThrow(message);
  });

  it('rejects LODs out of order, unknown names, bad compression and absolute urls', () => {
    const lods = manifestJson().lods as Record<string, unknown>[];
    const withLod = (i: number, patch: Record<string, unknown>) =>
      manifestJson({ lods: lods.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
    expect(() => parseManifest(manifestJson({ lods: [...lods].reverse() }), URL_OF_MANIFEST)).toThrow(
      /ordered coarse to fine \(preview, standard, high\) without repeats, got high, standard, preview/,
    );
    expect(() => parseManifest(withLod(1, { name: 'ultra' }), URL_OF_MANIFEST)).toThrow(
      /lods\[1\].name must be one of preview, standard, high, got "ultra"/,
    );
    expect(() => parseManifest(withLod(0, { compression: 'zip' }), URL_OF_MANIFEST)).toThrow(/one of draco, meshopt, none/);
    expect(() => parseManifest(withLod(0, { url: 'https://evil.example/x.glb' }), URL_OF_MANIFEST)).toThrow(
      /lods\[0\].url must be relative to the manifest/,
    );
    expect(() => parseManifest(withLod(2, { triangles: -1 }), URL_OF_MANIFEST)).toThrow(/lods\[2\].triangles must be an integer >= 0/);
    const { bytes: _dropped, ...noBytes } = lods[0] as Record<string, unknown>;
    expect(() => parseManifest(manifestJson({ lods: [noBytes] }), URL_OF_MANIFEST)).toThrow(/lods\[0\].bytes is missing/);
  });
});
