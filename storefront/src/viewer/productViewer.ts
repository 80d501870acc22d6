import { parseManifest, type Manifest, type ManifestLod } from '../lod/manifest';
import { errorBox } from '../ui/errorBox';
import { h } from '../ui/dom';
import { createGltfLoader, disposeObject, parseGlb } from './gltf';
import type { Object3D } from 'three';
import { arButton, arKind, currentEnvironment } from './arLink';
import { ModelViewer } from './modelViewer';
import { loadProgressively, type LoadProgress } from './progressiveLoad';
import { newLodTrace } from './trace';
import { selectVariant, VARIANT_CHOSEN } from './variants';

/**
 * The bench's switch to the old loading order (`?lods=together`: preview and standard fetched
 * at once), kept so bench/pages measures the new order against it in the same run.
 */
export const LOD_ORDER_PARAM = 'lods';

/**
 * The LODs to fetch: from `firstLod` on (the page's choice from the browser's hints, e.g.
 * "standard-1024"; coarser LODs are skipped), all of them when it names none.
 */
export function lodsFrom(lods: readonly ManifestLod[], firstLod: string | undefined): readonly ManifestLod[] {
  const name = firstLod?.split('-')[0];
  const start = lods.findIndex((lod) => lod.name === name);
  return start > 0 ? lods.slice(start) : lods;
}

/**
 * The product page's 3D view: fetch the manifest, show the first LOD (the preview unless the
 * page chose another), fetched alone, then swap in finer LODs as they arrive. This module pulls
 * in three.js, so pages import it lazily.
 */
export async function mountProductViewer(
  container: HTMLElement,
  manifestUrl: string,
  signal: AbortSignal,
  title = document.title,
  onlyLod?: string,
  firstLod?: string,
  // The page picks the variant (one it sells, variantChoice.ts): no picker of the viewer's own.
  pageChoosesVariant = false,
): Promise<void> {
  const status = h('p', { class: 'viewer-status', testid: 'viewer-status', 'aria-live': 'polite' }, 'Loading 3D model…');
  status.dataset.state = 'loading';
  container.append(status);
  const trace = newLodTrace();

  let manifest: Manifest;
  try {
    const response = await fetch(manifestUrl, { signal });
    if (!response.ok) {
      throw new Error(`The model's manifest answered HTTP ${response.status} (${manifestUrl}).`);
    }
    manifest = parseManifest(await response.json(), new URL(manifestUrl, document.baseURI).href);
    if (onlyLod !== undefined) {
      // The sellers' LOD preview: that one level alone, as shoppers see it before the others.
      manifest = { ...manifest, lods: manifest.lods.filter((lod) => lod.name === onlyLod) };
    }
  } catch (failure) {
    if (signal.aborted) {
      return;
    }
    showError(status, failure);
    return;
  }

  const { loader, dispose: disposeLoader } = createGltfLoader();
  let viewer: ModelViewer | null = null;
  let shownModel: Object3D | null = null;
  let variant: number | null = null;
  // The LOD requests go out first, so the network works while the renderer and its
  // lighting are set up (slow on weak GPUs). JS runs to completion: `viewer` is set
  // below before any response can be handled.
  const together = new URLSearchParams(location.search).get(LOD_ORDER_PARAM) === 'together';
  const loading = loadProgressively({
    lods: lodsFrom(manifest.lods, firstLod),
    firstAlone: !together,
    parse: (bytes, lod) => parseGlb(loader, bytes, lod.url),
    show: (model, lod) => {
      if (viewer === null) {
        throw new Error('LOD arrived before the viewer existed');
      }
      viewer.show(model, lod.name);
      // The server-rendered poster stood in for the model until now.
      container.querySelector('.poster')?.remove();
      shownModel = model;
      if (variant !== null) {
        // A finer LOD arrives with its default materials: give it the chosen variant.
        void showVariant(viewer, model, manifest.variants, variant);
      }
    },
    discard: (model) => disposeObject(model),
    onProgress: (progress) => describe(status, progress, manifest.lods),
    trace,
    signal,
  });
  viewer = new ModelViewer(container);
  const created = viewer;
  const choose = (chosen: number | null): void => {
    variant = chosen;
    if (shownModel !== null) {
      void showVariant(created, shownModel, manifest.variants, chosen);
    }
  };
  if (pageChoosesVariant) {
    // By name: the product's variant is the model's variant of the same name (none: as shown).
    const byName = (name: string | undefined): number | null => {
      const index = name === undefined ? -1 : manifest.variants.indexOf(name);
      return index < 0 ? null : index;
    };
    variant = byName(container.dataset.chosenVariant);
    container.addEventListener(VARIANT_CHOSEN, (event) => choose(byName((event as CustomEvent<string>).detail)), { signal });
  } else if (manifest.variants.length > 0) {
    container.append(variantPicker(manifest.variants, choose));
  }
  if (manifest.ar !== null) {
    const kind = arKind(await currentEnvironment());
    const button = arButton(kind, manifest.ar, title, location.href, () => void created.presentAr());
    if (button !== null) {
      container.append(button);
    }
  }
  signal.addEventListener('abort', () => {
    created.dispose();
    disposeLoader();
  }, { once: true });

  try {
    const result = await loading;
    if (result.shown === null) {
      showError(status, new Error(`Could not load the 3D model: ${result.failures.map((f) => `${f.lod}: ${f.reason}`).join('; ')}`));
    }
  } catch (failure) {
    if (!signal.aborted) {
      showError(status, failure);
    }
  }
}

/** Swaps the model's materials to variant `chosen` and says on the canvas which is shown. */
async function showVariant(viewer: ModelViewer, model: Object3D, names: readonly string[], chosen: number | null): Promise<void> {
  const parts = await selectVariant(model, chosen);
  viewer.canvas.dataset.variant = chosen === null ? '' : (names[chosen] ?? '');
  viewer.canvas.dataset.variantParts = String(parts);
  viewer.refresh();
}

/** A select of the model's variants ("As shown" is the model's own materials). */
function variantPicker(names: readonly string[], onChange: (variant: number | null) => void): HTMLElement {
  const select = h('select', { testid: 'variant-select', 'aria-label': 'Colour or material' });
  select.append(h('option', { value: '' }, 'As shown'));
  names.forEach((name, i) => select.append(h('option', { value: String(i) }, name)));
  select.addEventListener('change', () => {
    const value = (select as HTMLSelectElement).value;
    onChange(value === '' ? null : Number(value));
  });
  return select;
}

function describe(status: HTMLElement, progress: LoadProgress, lods: readonly ManifestLod[]): void {
  const shown = lods.find((l) => l.name === progress.shown);
  const parts: string[] = [];
  if (shown) {
    parts.push(`${shown.name} detail, ${shown.triangles.toLocaleString()} triangles`);
  }
  if (progress.loading.length > 0) {
    parts.push(`loading ${progress.loading.join(' and ')}…`);
  }
  if (progress.failures.length > 0 && progress.finished) {
    parts.push(`${progress.failures.map((f) => f.lod).join(', ')} failed to load`);
  }
  status.textContent = parts.join(' · ') || 'Loading 3D model…';
  status.dataset.state = progress.finished ? 'done' : 'loading';
  status.dataset.shown = progress.shown ?? '';
}

function showError(status: HTMLElement, failure: unknown): void {
  status.dataset.state = 'error';
  status.replaceChildren(errorBox(failure));
}
