/**
 * "View in your room": which AR a phone offers and the link that opens it.
 * - iOS (Safari and the in-app browsers): AR Quick Look on the USDZ, an <a rel="ar"> whose only
 *   child is an <img> (Apple's rule for Quick Look links).
 * - Android: Scene Viewer on the standard GLB through an intent URL, with the product title, a
 *   link back to the page, and the page as the fallback where Scene Viewer is not installed
 *   (developers.google.com/ar/develop/scene-viewer, "Launch Scene Viewer from a web page").
 * - Elsewhere with WebXR immersive-ar (a headset's browser): an in-page AR session.
 * - None of those: no button.
 * Detection is by user agent for the phones (iOS Chromium-based browsers cannot answer
 * relList.supports('ar') but open Quick Look), by navigator.xr for WebXR.
 */
import type { ManifestAr } from '../lod/manifest';

export type ArKind = 'quick-look' | 'scene-viewer' | 'webxr';

export interface ArEnvironment {
  readonly userAgent: string;
  readonly maxTouchPoints: number;
  readonly anchorSupportsAr: boolean;
  readonly webXrAr: boolean;
}

const IOS = /\b(iPhone|iPad|iPod)\b/;
const ANDROID = /\bAndroid\b/;

export function arKind(env: ArEnvironment): ArKind | null {
  // iPadOS presents itself as a Mac; a touch screen tells them apart.
  const ios = IOS.test(env.userAgent) || (/\bMacintosh\b/.test(env.userAgent) && env.maxTouchPoints > 1);
  if (ios || env.anchorSupportsAr) {
    return 'quick-look';
  }
  if (ANDROID.test(env.userAgent)) {
    return 'scene-viewer';
  }
  return env.webXrAr ? 'webxr' : null;
}

/** Scene Viewer's intent URL for `glbUrl` (absolute), titled, linking back to `pageUrl`. */
export function sceneViewerUrl(glbUrl: string, title: string, pageUrl: string): string {
  const query = new URLSearchParams({ file: glbUrl, mode: 'ar_preferred', title, link: pageUrl });
  const fallback = encodeURIComponent(pageUrl);
  return (
    `intent://arvr.google.com/scene-viewer/1.2?${query.toString()}` +
    `#Intent;scheme=https;package=com.google.ar.core;action=android.intent.action.VIEW;` +
    `S.browser_fallback_url=${fallback};end;`
  );
}

export async function currentEnvironment(): Promise<ArEnvironment> {
  const anchor = document.createElement('a');
  const xr = (navigator as Navigator & { xr?: { isSessionSupported(mode: string): Promise<boolean> } }).xr;
  let webXrAr = false;
  try {
    webXrAr = xr !== undefined && (await xr.isSessionSupported('immersive-ar'));
  } catch {
    webXrAr = false; // a permissions policy may forbid asking
  }
  return {
    userAgent: navigator.userAgent,
    maxTouchPoints: navigator.maxTouchPoints,
    anchorSupportsAr: anchor.relList.supports('ar'),
    webXrAr,
  };
}

/**
 * The button for this browser, or null where no AR is available. `startWebXr` opens the
 * in-page session (the viewer owns the renderer).
 */
export function arButton(
  kind: ArKind | null,
  ar: ManifestAr,
  title: string,
  pageUrl: string,
  startWebXr: () => void,
): HTMLElement | null {
  const label = 'View in your room';
  if (kind === 'quick-look') {
    const link = document.createElement('a');
    link.rel = 'ar';
    link.href = ar.usdzUrl;
    link.dataset.testid = 'ar-link';
    link.dataset.ar = kind;
    link.className = 'ar-button';
    const img = document.createElement('img');
    img.alt = label;
    // Quick Look wants exactly one <img> child; an SVG badge keeps it self-contained.
    img.src = `data:image/svg+xml,${encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" width="168" height="32"><rect width="168" height="32" rx="6" fill="#1d4ed8"/><text x="84" y="21" font-family="sans-serif" font-size="14" fill="#fff" text-anchor="middle">${label}</text></svg>`,
    )}`;
    link.append(img);
    return link;
  }
  if (kind === 'scene-viewer') {
    const link = document.createElement('a');
    link.href = sceneViewerUrl(ar.glbUrl, title, pageUrl);
    link.dataset.testid = 'ar-link';
    link.dataset.ar = kind;
    link.className = 'ar-button';
    link.textContent = label;
    return link;
  }
  if (kind === 'webxr') {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.testid = 'ar-link';
    button.dataset.ar = kind;
    button.className = 'ar-button';
    button.textContent = label;
    button.addEventListener('click', startWebXr);
    return button;
  }
  return null;
}
