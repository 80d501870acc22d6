/**
 * The asset manifest (version 1) written by the asset service, parsed and checked.
 * LOD urls are relative to the manifest's own URL; they are resolved here once.
 */

export const MANIFEST_VERSION = 1;
/** Coarse to fine, as the asset service writes them. */
export const LOD_ORDER = ['preview', 'standard', 'high'] as const;
export type LodLevelName = (typeof LOD_ORDER)[number];
export const COMPRESSIONS = ['draco', 'meshopt', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface ManifestLod {
  readonly name: LodLevelName;
  /** Absolute URL, resolved against the manifest URL. */
  readonly url: string;
  readonly bytes: number;
  readonly triangles: number;
  readonly error: number;
  readonly textureMaxPx: number | null;
  readonly compression: Compression;
}

/** AR files: the USDZ for AR Quick Look, the GLB Scene Viewer opens (absolute URLs). */
export interface ManifestAr {
  readonly usdzUrl: string;
  readonly glbUrl: string;
}

export interface Manifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly sku: string;
  readonly contentHash: string;
  readonly bbox: { readonly min: Vec3; readonly max: Vec3 };
  readonly lods: readonly ManifestLod[];
  /** Absent in manifests written before the asset service made AR files. */
  readonly ar: ManifestAr | null;
  /** KHR_materials_variants names, in the model's order (empty: one look). */
  readonly variants: readonly string[];
}

export type Vec3 = readonly [number, number, number];

export class ManifestError extends Error {
  override name = 'ManifestError';
}

type Json = Record<string, unknown>;

function field(obj: Json, key: string, where: string): unknown {
  if (!(key in obj)) {
    throw new ManifestError(`${where}.${key} is missing`);
  }
  return obj[key];
}

function asObject(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(`${where} must be an object`);
  }
  return value as Json;
}

function asString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ManifestError(`${where} must be a non-empty string`);
  }
  return value;
}

function asCount(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ManifestError(`${where} must be an integer >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function asVec3(value: unknown, where: string): Vec3 {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => Number.isFinite(v))) {
    throw new ManifestError(`${where} must be [x, y, z] numbers, got ${JSON.stringify(value)}`);
  }
  return [value[0] as number, value[1] as number, value[2] as number];
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, where: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ManifestError(`${where} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function relativeUrl(value: unknown, where: string, manifestUrl: string): string {
  const url = asString(value, where);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/')) {
    throw new ManifestError(`${where} must be relative to the manifest, got ${JSON.stringify(url)}`);
  }
  return new URL(url, manifestUrl).href;
}

function parseVariants(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new ManifestError('manifest.variants must be an array of names');
  }
  return value.map((name, i) => (typeof name === 'string' && name !== '' ? name : `Variant ${i + 1}`));
}

function parseAr(value: unknown, manifestUrl: string): ManifestAr | null {
  if (value === undefined) {
    return null;
  }
  const ar = asObject(value, 'manifest.ar');
  const usdz = asObject(field(ar, 'usdz', 'manifest.ar'), 'manifest.ar.usdz');
  const viewer = asObject(field(ar, 'scene_viewer', 'manifest.ar'), 'manifest.ar.scene_viewer');
  return {
    usdzUrl: relativeUrl(field(usdz, 'url', 'manifest.ar.usdz'), 'manifest.ar.usdz.url', manifestUrl),
    glbUrl: relativeUrl(field(viewer, 'url', 'manifest.ar.scene_viewer'), 'manifest.ar.scene_viewer.url', manifestUrl),
  };
}

function parseLod(value: unknown, index: number, manifestUrl: string): ManifestLod {
  const where = `lods[${index}]`;
  const obj = asObject(value, where);
  const name = oneOf(LOD_ORDER, field(obj, 'name', where), `${where}.name`);
  const url = asString(field(obj, 'url', where), `${where}.url`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/')) {
    throw new ManifestError(`${where}.url must be relative to the manifest, got ${JSON.stringify(url)}`);
  }
  const error = field(obj, 'error', where);
  if (typeof error !== 'number' || !(error >= 0)) {
    throw new ManifestError(`${where}.error must be a number >= 0, got ${JSON.stringify(error)}`);
  }
  const textureMaxPx = field(obj, 'texture_max_px', where);
  return {
    name,
    url: new URL(url, manifestUrl).href,
    bytes: asCount(field(obj, 'bytes', where), `${where}.bytes`),
    triangles: asCount(field(obj, 'triangles', where), `${where}.triangles`),
    error,
    textureMaxPx: textureMaxPx === null ? null : asCount(textureMaxPx, `${where}.texture_max_px`),
    compression: oneOf(COMPRESSIONS, field(obj, 'compression', where), `${where}.compression`),
  };
}

/** Parses manifest JSON fetched from `manifestUrl` (an absolute URL). */
export function parseManifest(value: unknown, manifestUrl: string): Manifest {
  const obj = asObject(value, 'manifest');
  const version = field(obj, 'version', 'manifest');
  if (version !== MANIFEST_VERSION) {
    throw new ManifestError(`manifest.version must be ${MANIFEST_VERSION}, got ${JSON.stringify(version)}`);
  }
  const bbox = asObject(field(obj, 'bbox', 'manifest'), 'manifest.bbox');
  const rawLods = field(obj, 'lods', 'manifest');
  if (!Array.isArray(rawLods) || rawLods.length === 0) {
    throw new ManifestError('manifest.lods must be a non-empty array');
  }
  const lods = rawLods.map((lod, i) => parseLod(lod, i, manifestUrl));
  const ranks = lods.map((lod) => LOD_ORDER.indexOf(lod.name));
  if (ranks.some((rank, i) => i > 0 && rank <= (ranks[i - 1] as number))) {
    throw new ManifestError(
      `manifest.lods must be ordered coarse to fine (${LOD_ORDER.join(', ')}) without repeats, got ${lods
        .map((l) => l.name)
        .join(', ')}`,
    );
  }
  return {
    version: MANIFEST_VERSION,
    sku: asString(field(obj, 'sku', 'manifest'), 'manifest.sku'),
    contentHash: asString(field(obj, 'content_hash', 'manifest'), 'manifest.content_hash'),
    bbox: { min: asVec3(field(bbox, 'min', 'manifest.bbox'), 'manifest.bbox.min'), max: asVec3(field(bbox, 'max', 'manifest.bbox'), 'manifest.bbox.max') },
    lods,
    ar: parseAr(obj.ar, manifestUrl),
    variants: parseVariants(obj.variants),
  };
}
