import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lod/manifest';
import { arKind, sceneViewerUrl, type ArEnvironment } from '../../src/viewer/arLink';

const env = (userAgent: string, extra: Partial<ArEnvironment> = {}): ArEnvironment => ({
  userAgent,
  maxTouchPoints: 0,
  anchorSupportsAr: false,
  webXrAr: false,
  ...extra,
});

describe('which AR a browser gets', () => {
  it('sends iPhones, iPads and iPadOS (a Mac with touch) to AR Quick Look', () => {
    expect(arKind(env('Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)'))).toBe('quick-look');
    expect(arKind(env('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)'))).toBe('quick-look');
    expect(arKind(env('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)', { maxTouchPoints: 5 }))).toBe('quick-look');
    expect(arKind(env('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)'))).toBeNull();
  });

  it('sends Android to Scene Viewer, WebXR browsers to WebXR, and the rest to nothing', () => {
    expect(arKind(env('Mozilla/5.0 (Linux; Android 15; Pixel 9)'))).toBe('scene-viewer');
    expect(arKind(env('Mozilla/5.0 (X11; Linux x86_64) OculusBrowser/33', { webXrAr: true }))).toBe('webxr');
    expect(arKind(env('Mozilla/5.0 (X11; Linux x86_64)'))).toBeNull();
  });

  it('writes the Scene Viewer intent with the file, title, link back and fallback', () => {
    const url = sceneViewerUrl('https://shop.example/assets/a b/standard.glb', 'Chair & table', 'https://shop.example/#/product/A');
    expect(url).toBe(
      'intent://arvr.google.com/scene-viewer/1.2?file=https%3A%2F%2Fshop.example%2Fassets%2Fa+b%2Fstandard.glb' +
        '&mode=ar_preferred&title=Chair+%26+table&link=https%3A%2F%2Fshop.example%2F%23%2Fproduct%2FA' +
        '#Intent;scheme=https;package=com.google.ar.core;action=android.intent.action.VIEW;' +
        'S.browser_fallback_url=https%3A%2F%2Fshop.example%2F%23%2Fproduct%2FA;end;',
    );
  });

  it('reads the AR files from the manifest, relative to it, and refuses absolute ones', () => {
    const base = { version: 1, sku: 's', content_hash: 'h', bbox: { min: [0, 0, 0], max: [1, 1, 1] } };
    const lods = [{ name: 'preview', url: 'preview.glb', bytes: 1, triangles: 1, error: 0, texture_max_px: 256, compression: 'draco' }];
    const ar = { usdz: { url: 'model.usdz' }, scene_viewer: { url: 'standard.glb' } };
    const parsed = parseManifest({ ...base, lods, ar }, 'https://cdn.example/assets/s/h/manifest.json');
    expect(parsed.ar).toEqual({
      usdzUrl: 'https://cdn.example/assets/s/h/model.usdz',
      glbUrl: 'https://cdn.example/assets/s/h/standard.glb',
    });
    expect(parseManifest({ ...base, lods }, 'https://cdn.example/m.json').ar).toBeNull();
    expect(() => parseManifest({ ...base, lods, ar: { ...ar, usdz: { url: 'https://evil.example/x.usdz' } } }, 'https://cdn.example/m.json')).toThrow(
      'manifest.ar.usdz.url must be relative to the manifest',
    );
  });
});
