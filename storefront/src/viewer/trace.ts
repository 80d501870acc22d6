/**
 * What a browser test reads to check the LOD order: `window.__shop3d`.
 * lodsRequested grows when a LOD fetch starts, lodsShown when a LOD goes on screen.
 */

export interface LodTrace {
  lodsRequested: string[];
  lodsShown: string[];
  firstFrameAt: number | null;
}

declare global {
  interface Window {
    __shop3d?: LodTrace;
  }
}

/** A fresh trace for one viewer, published on window when there is one. */
export function newLodTrace(): LodTrace {
  const trace: LodTrace = { lodsRequested: [], lodsShown: [], firstFrameAt: null };
  if (typeof window !== 'undefined') {
    window.__shop3d = trace;
  }
  return trace;
}
