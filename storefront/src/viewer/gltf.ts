import type { Object3D, WebGLRenderer } from 'three';
import { DRACO_GLTF_CONFIG, DRACOLoader } from 'three/examples/jsm/loaders/DRACOLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { attachVariantSwitch } from './variants';

/**
 * A GLTFLoader for the asset service's GLBs: KHR_draco_mesh_compression (decoded in a
 * worker), EXT_meshopt_compression with KHR_mesh_quantization, and EXT_texture_webp (built
 * into GLTFLoader).
 */
export function createGltfLoader(): { loader: GLTFLoader; dispose: () => void } {
  const draco = new DRACOLoader();
  // three's glTF-only Draco decoder, referenced through import.meta.url, so the bundler
  // copies it into dist/assets next to the code: no CDN, works offline, any URL prefix.
  draco.setDecoderPath(DRACO_GLTF_CONFIG);
  const loader = new GLTFLoader();
  loader.setDRACOLoader(draco);
  loader.setMeshoptDecoder(lazyMeshoptDecoder());
  return { loader, dispose: () => draco.dispose() };
}

/**
 * The meshopt decoder, fetched only when a GLB has EXT_meshopt_compression buffer views (the
 * asset service's preview LOD; its other LODs are Draco, whose decoder DRACOLoader fetches on
 * its first Draco GLB, after the first frame: bench/pages). GLTFLoader checks `supported` when
 * it meets the extension, then calls `decodeGltfBufferAsync` (GLTFMeshoptCompression in
 * three's GLTFLoader.js).
 */
/** The synchronous decoders need the module loaded; GLTFLoader calls the async one only. */
function notLoaded(): never {
  throw new Error('decode through decodeGltfBufferAsync');
}

export function lazyMeshoptDecoder(): typeof MeshoptDecoder {
  let decoder: Promise<typeof MeshoptDecoder> | null = null;
  const load = (): Promise<typeof MeshoptDecoder> => {
    decoder ??= import('three/examples/jsm/libs/meshopt_decoder.module.js').then(async ({ MeshoptDecoder: real }) => {
      if (!real.supported) {
        throw new Error('EXT_meshopt_compression needs WebAssembly, which this browser lacks');
      }
      await real.ready;
      return real;
    });
    return decoder;
  };
  return {
    supported: true,
    get ready() {
      return load().then(() => undefined);
    },
    useWorkers: (count: number) => void load().then((real) => real.useWorkers(count)),
    decodeVertexBuffer: notLoaded,
    decodeIndexBuffer: notLoaded,
    decodeIndexSequence: notLoaded,
    decodeGltfBuffer: notLoaded,
    decodeGltfBufferAsync: (count, size, source, mode, filter) =>
      load().then((real) => real.decodeGltfBufferAsync(count, size, source, mode, filter)),
  };
}

/** Parses GLB bytes; `url` is the GLB's own URL, for any external resources it names. */
export async function parseGlb(loader: GLTFLoader, bytes: ArrayBuffer, url: string): Promise<Object3D> {
  const resourcePath = new URL('./', url).href;
  const gltf = await loader.parseAsync(bytes, resourcePath);
  attachVariantSwitch(gltf);
  return gltf.scene;
}

/** Frees the GPU memory of a model that left the screen. */
export function disposeObject(root: Object3D, renderer?: WebGLRenderer): void {
  root.traverse((node) => {
    const mesh = node as Partial<{ geometry: { dispose(): void }; material: unknown }>;
    mesh.geometry?.dispose();
    const materials = Array.isArray(mesh.material) ? mesh.material : mesh.material ? [mesh.material] : [];
    for (const material of materials as Record<string, unknown>[]) {
      for (const value of Object.values(material)) {
        if (value && typeof value === 'object' && 'isTexture' in value) {
          (value as unknown as { dispose(): void }).dispose();
        }
      }
      (material as unknown as { dispose(): void }).dispose();
    }
  });
  renderer?.renderLists.dispose();
}
