import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(HERE, '../../node_modules/.bin/gltf-transform');
/** The shared test models, never copied into the repository. */
export const MODELS_DIR = resolve(HERE, '../../../../shared/models');
export const SOURCE_MODEL = join(MODELS_DIR, 'DamagedHelmet.glb');

/**
 * Three sizes made with gltf-transform's CLI: Draco geometry, WebP textures (EXT_texture_webp).
 * Textures stop at 1024 px to keep the test quick; bench-sized inputs belong in bench/.
 */
const LOD_SETTINGS = [
  { name: 'preview', textureMaxPx: 256, args: ['--simplify-ratio', '0.1', '--simplify-error', '0.01'], error: 0.01 },
  { name: 'standard', textureMaxPx: 512, args: ['--simplify-ratio', '0.5', '--simplify-error', '0.001'], error: 0.001 },
  { name: 'high', textureMaxPx: 1024, args: ['--simplify', 'false'], error: 0 },
] as const;

export interface LodFixture {
  /** The assets bucket's contents as files: <root>/assets/<sku>/<hash>/... */
  readonly root: string;
  readonly manifestKey: string;
  readonly manifest: Record<string, unknown>;
}

/** Parses a CSV line with quoted fields (gltf-transform inspect --format csv). */
function csvFields(line: string): string[] {
  return [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1] ?? '').slice(0, -1);
}

/** Triangle count and bbox of a GLB, from `gltf-transform inspect`. */
async function inspect(file: string): Promise<{ triangles: number; min: number[]; max: number[] }> {
  const { stdout } = await run(CLI, ['inspect', file, '--format', 'csv'], { maxBuffer: 16 << 20 });
  const sections = stdout.split(/\n\s*\n/).map((s) => s.trim().split('\n').filter((l) => l.includes(',')));
  const table = (header: string): Record<string, string>[] => {
    const rows = sections.find((lines) => lines[0]?.startsWith(header)) ?? [];
    const keys = csvFields(rows[0] ?? '');
    return rows.slice(1).map((row) => Object.fromEntries(csvFields(row).map((v, i) => [keys[i], v])));
  };
  const meshes = table('#,name,mode');
  const scene = table('#,name,rootName')[0];
  if (meshes.length === 0 || scene === undefined) {
    throw new Error(`gltf-transform inspect printed no meshes or scene for ${file}:\n${stdout.slice(0, 500)}`);
  }
  const vec = (text: string | undefined) => (text ?? '').split(',').map(Number);
  return {
    triangles: meshes.reduce((sum, m) => sum + Number(m.glPrimitives), 0),
    min: vec(scene.bboxMin),
    max: vec(scene.bboxMax),
  };
}

/**
 * The fixture in a temp dir, built on first use and reused while the source model, the LOD
 * settings and the CLI version are unchanged (encoding takes seconds per LOD on 2 cores).
 */
export async function lodFixture(sku: string): Promise<LodFixture> {
  const source = await readFile(SOURCE_MODEL);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cli = JSON.parse(await readFile(resolve(HERE, '../../node_modules/@gltf-transform/cli/package.json'), 'utf8')) as { version: string };
  const key = createHash('sha256').update(`${hash} ${sku} ${cli.version} ${JSON.stringify(LOD_SETTINGS)}`).digest('hex').slice(0, 16);
  const root = join(tmpdir(), `shop3d-lod-fixture-${key}`);
  const manifestKey = `assets/${sku}/${hash}/manifest.json`;
  if (!existsSync(join(root, manifestKey))) {
    // Built aside and renamed into place, so a half-built fixture is never reused.
    const staging = await mkdtemp(join(tmpdir(), 'shop3d-lod-staging-'));
    await buildLodFixture(staging, sku, source, hash);
    await rm(root, { recursive: true, force: true });
    await rename(staging, root);
  }
  const manifest = JSON.parse(await readFile(join(root, manifestKey), 'utf8')) as Record<string, unknown>;
  return { root, manifestKey, manifest };
}

/** Publishes SOURCE_MODEL as the asset service would: LODs, then manifest.json last. */
async function buildLodFixture(root: string, sku: string, source: Buffer, hash: string): Promise<void> {
  const prefix = `assets/${sku}/${hash}`;
  const dir = join(root, prefix);
  await mkdir(dir, { recursive: true });
  const lods = await Promise.all(
    LOD_SETTINGS.map(async (lod) => {
      const out = join(dir, `${lod.name}.glb`);
      await run(CLI, [
        'optimize', SOURCE_MODEL, out,
        '--compress', 'draco', '--texture-compress', 'webp', '--texture-size', String(lod.textureMaxPx), ...lod.args,
      ]);
      const facts = await inspect(out);
      return {
        name: lod.name,
        url: `${lod.name}.glb`,
        bytes: (await stat(out)).size,
        triangles: facts.triangles,
        // The tolerance asked of the simplifier, as a fraction of the mesh extent.
        error: lod.error,
        texture_max_px: lod.textureMaxPx,
        compression: 'draco',
        bbox: facts,
      };
    }),
  );
  const high = lods[lods.length - 1]!.bbox;
  const sourceFacts = await inspect(SOURCE_MODEL);
  const manifest = {
    version: 1,
    sku,
    content_hash: hash,
    bbox: { min: high.min, max: high.max },
    source: { file: 'DamagedHelmet.glb', bytes: source.length, triangles: sourceFacts.triangles },
    lods: lods.map(({ bbox: _bbox, ...lod }) => lod),
  };
  await writeFile(join(root, prefix, 'manifest.json'), JSON.stringify(manifest, null, 2));
}
