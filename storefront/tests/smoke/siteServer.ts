import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { ContractApi } from '../support/contractApi';
import { startServer, type RunningServer } from '../support/httpServer';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.glb': 'model/gltf-binary',
  '.usdz': 'model/vnd.usdz+zip',
  '.json': 'application/json',
  '.png': 'image/png',
};

async function sendFile(res: ServerResponse, root: string, path: string): Promise<void> {
  // Keep every path inside its root: '..' segments are refused.
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep)) {
    res.statusCode = 403;
    res.end();
    return;
  }
  try {
    const bytes = await readFile(file);
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(bytes);
  } catch {
    res.statusCode = 404;
    res.end();
  }
}

/**
 * One origin, as CloudFront serves it: /api/* to the cart API, /assets/* from the assets
 * bucket (a directory here), everything else from the built site in dist/.
 */
export function startSiteServer(distDir: string, bucketDir: string, api: ContractApi): Promise<RunningServer> {
  return startServer(async (req, res, body) => {
    if (api.handle(req, res, body)) {
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);
    if (path.startsWith('/assets/')) {
      await sendFile(res, bucketDir, path);
      return;
    }
    // Paths without a file extension are the storefront's routes: the shell (no page renderer here).
    await sendFile(res, distDir, extname(path) === '' ? '/index.html' : path);
  });
}
