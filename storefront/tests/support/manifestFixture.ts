/** A manifest in the asset service's contract shape (version 1), for tests. */
export function manifestJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const lod = (name: string, bytes: number, triangles: number, error: number, textureMaxPx: number | null) => ({
    name,
    url: `${name}.glb`,
    bytes,
    triangles,
    error,
    texture_max_px: textureMaxPx,
    compression: 'draco',
  });
  return {
    version: 1,
    sku: 'HELMET-1',
    content_hash: 'ab12cd34',
    bbox: { min: [-1, -1, -1], max: [1, 1, 1] },
    source: { file: 'DamagedHelmet.glb', bytes: 3773916, triangles: 15452 },
    lods: [lod('preview', 1000, 1500, 0.01, 256), lod('standard', 5000, 7000, 0.001, 1024), lod('high', 20000, 15452, 0, null)],
    ...overrides,
  };
}
