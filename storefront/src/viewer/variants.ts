import type { Material, Mesh, Object3D } from 'three';
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';

/**
 * KHR_materials_variants in the viewer: switching a colour or material variant swaps the
 * materials of the primitives that map it, keeping the geometry already on the GPU (no
 * download, no re-parse). The pattern of three.js's webgl_loader_gltf_variants example.
 */
const VARIANTS = 'KHR_materials_variants';
/**
 * Sent to the viewer's container by the product page when the shopper picks a variant to buy;
 * `detail` is its name, the model's variant of the same name is shown. The container's
 * `data-chosen-variant` holds the choice made before the viewer was there.
 */
export const VARIANT_CHOSEN = 'shop3d:variant-chosen';
const SWITCH = 'shop3dSelectVariant';

interface Mapping {
  readonly material: number;
  readonly variants: readonly number[];
}

/** Attaches the switcher to the model's root (`selectVariant` finds it there). */
export function attachVariantSwitch(gltf: GLTF): void {
  const parser = gltf.parser;
  gltf.scene.userData[SWITCH] = async (variant: number | null): Promise<number> => {
    const meshes: Mesh[] = [];
    gltf.scene.traverse((node) => {
      const ext = (node.userData.gltfExtensions as Record<string, unknown> | undefined)?.[VARIANTS];
      if ((node as Mesh).isMesh && ext) {
        meshes.push(node as Mesh);
      }
    });
    await Promise.all(
      meshes.map(async (mesh) => {
        const ext = mesh.userData.gltfExtensions[VARIANTS] as { mappings: readonly Mapping[] };
        mesh.userData.defaultMaterial ??= mesh.material;
        const mapping = variant === null ? undefined : ext.mappings.find((m) => m.variants.includes(variant));
        if (mapping === undefined) {
          mesh.material = mesh.userData.defaultMaterial as Material;
          return;
        }
        mesh.material = (await parser.getDependency('material', mapping.material)) as Material;
        parser.assignFinalMaterial(mesh);
      }),
    );
    return meshes.length;
  };
}

/**
 * Shows variant `variant` (an index into the manifest's variants; null: the default); returns
 * how many parts the variants map.
 */
export async function selectVariant(model: Object3D, variant: number | null): Promise<number> {
  const select = model.userData[SWITCH] as ((v: number | null) => Promise<number>) | undefined;
  return (await select?.(variant)) ?? 0;
}
