import { DirectionalLight, HemisphereLight, PMREMGenerator, type Scene, type WebGLRenderer } from 'three';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';

export type LightingKind = 'environment' | 'lights';

/**
 * True when WebGL runs on the CPU (SwiftShader, llvmpipe): prefiltering an environment map
 * there takes tens of seconds, so such devices get plain lights instead.
 */
export function isSoftwareRenderer(renderer: WebGLRenderer): boolean {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

/**
 * Image-based lighting from three's RoomEnvironment (generated, nothing to fetch) on real
 * GPUs; a hemisphere plus two directional lights on software renderers (metals look darker).
 */
export function addLighting(scene: Scene, renderer: WebGLRenderer, software: boolean): LightingKind {
  if (software) {
    scene.add(new HemisphereLight(0xffffff, 0x444455, 2.5));
    const key = new DirectionalLight(0xffffff, 2.5);
    key.position.set(3, 4, 5);
    const fill = new DirectionalLight(0xffffff, 1);
    fill.position.set(-4, 1, -3);
    scene.add(key, fill);
    return 'lights';
  }
  const pmrem = new PMREMGenerator(renderer);
  // 128 px is plenty for a product's soft reflections and 4x cheaper than the default 256.
  scene.environment = pmrem.fromScene(new RoomEnvironment(), 0.04, 0.1, 100, { size: 128 }).texture;
  pmrem.dispose();
  return 'environment';
}
