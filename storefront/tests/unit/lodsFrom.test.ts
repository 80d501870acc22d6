import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lod/manifest';
import { lodsFrom } from '../../src/viewer/productViewer';
import { manifestJson } from '../support/manifestFixture';

const LODS = parseManifest(manifestJson(), 'http://shop.test/assets/X/h/manifest.json').lods;

describe('lodsFrom', () => {
  it('starts at the LOD the page chose and skips the coarser ones', () => {
    expect(lodsFrom(LODS, 'standard-1024').map((l) => l.name)).toEqual(['standard', 'high']);
  });

  it('keeps every LOD for the preview, no choice, or a name the manifest lacks', () => {
    for (const choice of ['preview-512', undefined, 'ultra-4096']) {
      expect(lodsFrom(LODS, choice).map((l) => l.name)).toEqual(['preview', 'standard', 'high']);
    }
  });
});
