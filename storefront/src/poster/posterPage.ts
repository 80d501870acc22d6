import { createGltfLoader, parseGlb } from '../viewer/gltf';
import { ModelViewer } from '../viewer/modelViewer';

/**
 * The poster renderer's page: one GLB in the product viewer itself (same lighting, same
 * framing from the model's bounds), at the window's size. Query: `model` (the GLB's URL),
 * `background` (`transparent` or `viewer`). Sets `document.body.dataset.poster` to `ready`
 * after the first frame, or to `failed` with the reason in `data-poster-error`.
 */
async function renderPoster(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const modelUrl = new URL(query.get('model') ?? '', location.href).href;
  const stage = document.getElementById('stage');
  if (stage === null) {
    throw new Error('poster.html has no #stage');
  }
  const viewer = new ModelViewer(stage, { transparent: query.get('background') === 'transparent' });
  const { loader, dispose } = createGltfLoader();
  try {
    const response = await fetch(modelUrl);
    if (!response.ok) {
      throw new Error(`the model answered HTTP ${response.status} (${modelUrl})`);
    }
    viewer.show(await parseGlb(loader, await response.arrayBuffer(), modelUrl), 'poster');
  } finally {
    dispose();
  }
  await new Promise<void>((resolve) => {
    const poll = (): void => (viewer.canvas.dataset.firstRender === 'true' ? resolve() : void requestAnimationFrame(poll));
    poll();
  });
  document.body.dataset.lighting = viewer.canvas.dataset.lighting ?? '';
  document.body.dataset.poster = 'ready';
}

renderPoster().catch((failure: unknown) => {
  document.body.dataset.posterError = failure instanceof Error ? failure.message : String(failure);
  document.body.dataset.poster = 'failed';
});
