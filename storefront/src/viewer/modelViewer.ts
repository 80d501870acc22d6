import {
  ACESFilmicToneMapping,
  Box3,
  Color,
  PerspectiveCamera,
  Scene,
  SRGBColorSpace,
  Vector3,
  WebGLRenderer,
  type Object3D,
} from 'three';
import type { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { disposeObject } from './gltf';
import { addLighting, isSoftwareRenderer } from './lighting';

/** Light grey behind the model; the smoke test counts pixels that differ from it. */
export const VIEWER_BACKGROUND = 0xeef0f3;
/** performance.mark set on the first frame that shows a model. */
export const FIRST_FRAME_MARK = 'shop3d:first-frame';

/**
 * A canvas with one model, orbit controls and lighting (see lighting.ts; no files to fetch).
 * Renders on demand, not every frame, to spare phone batteries.
 */
export class ModelViewer {
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(40, 1, 0.01, 1000);
  // Fetched after the first frame (attachControls): nobody drags an empty box, and its code
  // would otherwise share the slow link with the first LOD (bench/pages).
  private controls: OrbitControls | null = null;
  private readonly framing = { target: new Vector3(), minDistance: 0, maxDistance: Infinity };
  private readonly software: boolean;
  private readonly resizeObserver: ResizeObserver;
  private model: Object3D | null = null;
  private framePending = false;
  private disposed = false;

  /** `transparent`: no background (alpha canvas), for posters laid over any page colour. */
  constructor(
    private readonly container: HTMLElement,
    { transparent = false }: { transparent?: boolean } = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.testid = 'viewer-canvas';
    this.canvas.setAttribute('aria-label', '3D view of the product: drag to turn, pinch or scroll to zoom');
    container.append(this.canvas);

    // preserveDrawingBuffer only for posters: the page reads the pixels after the frame.
    this.renderer = new WebGLRenderer({
      canvas: this.canvas,
      antialias: true,
      alpha: transparent,
      preserveDrawingBuffer: transparent,
    });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.outputColorSpace = SRGBColorSpace;
    this.renderer.toneMapping = ACESFilmicToneMapping;

    this.software = isSoftwareRenderer(this.renderer);
    this.canvas.dataset.lighting = addLighting(this.scene, this.renderer, this.software);
    this.scene.background = transparent ? null : new Color(VIEWER_BACKGROUND);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  /** Puts `model` on screen in place of the current one; frames the camera on the first. */
  show(model: Object3D, lodName: string): void {
    const previous = this.model;
    this.scene.add(model);
    this.model = model;
    if (previous === null) {
      this.frame(model);
    } else {
      this.scene.remove(previous);
      disposeObject(previous, this.renderer);
    }
    this.canvas.dataset.lod = lodName;
    this.requestRender();
  }

  /**
   * WebXR immersive-ar: the model, at its real size (the asset service writes metres), 1.5 m
   * in front of the viewer until the session ends.
   */
  async presentAr(): Promise<void> {
    const xr = (navigator as Navigator & { xr?: { requestSession(mode: string, init?: object): Promise<XRSession> } }).xr;
    if (xr === undefined || this.model === null) {
      return;
    }
    const session = await xr.requestSession('immersive-ar', { optionalFeatures: ['local-floor'] });
    const model = this.model;
    const home = model.position.clone();
    const background = this.scene.background;
    this.scene.background = null; // the camera image shows through
    model.position.set(0, 0, -1.5);
    this.renderer.xr.enabled = true;
    await this.renderer.xr.setSession(session);
    this.renderer.setAnimationLoop(() => this.renderer.render(this.scene, this.camera));
    session.addEventListener('end', () => {
      this.renderer.setAnimationLoop(null);
      this.renderer.xr.enabled = false;
      model.position.copy(home);
      this.scene.background = background;
      this.requestRender();
    });
  }

  /** Draws again after the model changed in place (a material variant swapped). */
  refresh(): void {
    this.requestRender();
  }

  dispose(): void {
    this.disposed = true;
    this.resizeObserver.disconnect();
    this.controls?.dispose();
    if (this.model !== null) {
      disposeObject(this.model, this.renderer);
    }
    this.scene.environment?.dispose();
    this.renderer.dispose();
    this.canvas.remove();
  }

  private frame(model: Object3D): void {
    const box = new Box3().setFromObject(model);
    const center = box.getCenter(new Vector3());
    const radius = Math.max(box.getSize(new Vector3()).length() / 2, 1e-6);
    const distance = radius / Math.sin((this.camera.fov * Math.PI) / 360);
    this.camera.near = distance / 100;
    this.camera.far = distance * 100;
    this.camera.position.copy(center).add(new Vector3(0.4, 0.3, 1).normalize().multiplyScalar(distance));
    this.camera.updateProjectionMatrix();
    this.camera.lookAt(center);
    this.framing.target.copy(center);
    this.framing.minDistance = radius * 0.5;
    this.framing.maxDistance = distance * 4;
    if (this.controls !== null) {
      this.applyFraming(this.controls);
    }
  }

  private applyFraming(controls: OrbitControls): void {
    controls.target.copy(this.framing.target);
    controls.minDistance = this.framing.minDistance;
    controls.maxDistance = this.framing.maxDistance;
    controls.update();
  }

  /** Orbit controls, once the first frame is up; `data-controls=ready` on the canvas then. */
  private async attachControls(): Promise<void> {
    const { OrbitControls } = await import('three/examples/jsm/controls/OrbitControls.js');
    if (this.disposed) {
      return;
    }
    const controls = new OrbitControls(this.camera, this.canvas);
    // Damping renders frames for a second after each drag: too dear when the CPU draws them.
    controls.enableDamping = !this.software;
    controls.addEventListener('change', () => this.requestRender());
    this.controls = controls;
    this.applyFraming(controls);
    this.canvas.dataset.controls = 'ready';
  }

  private resize(): void {
    const width = Math.max(this.container.clientWidth, 1);
    const height = Math.max(this.container.clientHeight, 1);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private requestRender(): void {
    if (this.framePending || this.disposed) {
      return;
    }
    this.framePending = true;
    requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.framePending = false;
    if (this.disposed) {
      return;
    }
    // With damping, update() keeps firing 'change' until the motion settles.
    this.controls?.update();
    this.renderer.render(this.scene, this.camera);
    const lod = this.canvas.dataset.lod;
    if (this.model !== null && lod !== undefined && this.canvas.dataset.drawnLod !== lod) {
      // User Timing marks the bench reads (bench/pages): the first 3D frame, each LOD drawn.
      this.canvas.dataset.drawnLod = lod;
      performance.mark(`shop3d:lod-drawn:${lod}`);
    }
    if (this.model !== null && this.canvas.dataset.firstRender !== 'true') {
      this.canvas.dataset.firstRender = 'true';
      performance.mark(FIRST_FRAME_MARK);
      if (window.__shop3d) {
        window.__shop3d.firstFrameAt = performance.now();
      }
      this.attachControls().catch((failure: unknown) => console.error('orbit controls did not load', failure));
    }
  }
}
