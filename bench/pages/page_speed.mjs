// Product page loads in Debian's headless Chromium under network emulation (CDP), as a shopper
// sees them. Prints one JSON document of figures (ms from navigation start, bytes).
//
//   node bench/pages/page_speed.mjs <json: {url, profile: {latency_ms, down_kbps, up_kbps},
//        headers, spaShell, waitMs, then?: [{name, url?}]}>
//
// - spaShell: the document request is answered with the storefront's shell (index.html, no
//   server HTML, no poster, no preloads): the storefront draws the page from the API, as the
//   single-page app did before the pages renderer.
// - then: loads after the first in the same browser context (its HTTP cache kept), each measured
//   as the first is and reported under `then`: without a url, the same page reloaded (the HTML
//   from the network, as once its own lifetime has passed, everything else as its headers
//   say); with one, a normal navigation there (another product).
// - bytes: CDP Network.dataReceived (encoded bytes on the wire, per chunk, with its time), so
//   "before the first 3D frame" counts the bytes of a finer LOD still downloading too.
// - requests: per http(s) request, where its response came from: the browser's cache (memory
//   or HTTP cache), a revalidation the server answered 304, or fetched.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const spec = JSON.parse(process.argv[2]);
const ARGS = [
  '--headless', '--no-sandbox', '--no-first-run', '--disable-gpu',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
const FIRST_FRAME = 'shop3d:first-frame';
const LOD_DRAWN = 'shop3d:lod-drawn:';
if (spec.spaShell && spec.then?.length) {
  // page.route (the shell's stand-in) turns Playwright's HTTP cache off: no repeat to measure.
  throw new Error('spaShell loads cannot be repeated');
}

// What one load's CDP events say; a new one for every load.
function collector() {
  return {
    wallOffset: null, // CDP times are monotonic seconds; wallTime maps them to the page's clock
    chunks: [],
    urls: new Map(),
    finished: new Map(), // headers and framing count too: their total minus the chunks counted
    fromCache: new Set(),
    status: new Map(), // the status the network answered (ExtraInfo: 304 for a revalidation)
    errors: [],
  };
}

function where(seen, id) {
  if (seen.status.get(id) === 304) {
    return 'revalidated';
  }
  return seen.fromCache.has(id) ? 'cache' : 'fetched';
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const result = { errors: [] };
try {
  // A phone-sized viewport at DPR 2 (the page's hints say the same).
  const context = await browser.newContext({
    viewport: { width: 412, height: 823 },
    deviceScaleFactor: 2,
    extraHTTPHeaders: spec.headers,
  });
  const page = await context.newPage();
  let now = collector();
  page.on('pageerror', (error) => now.errors.push(error.message));
  if (spec.spaShell) {
    const shell = readFileSync(spec.shellPath, 'utf8');
    await page.route(spec.url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: shell }));
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  const { latency_ms: latency, down_kbps: down, up_kbps: up } = spec.profile;
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency,
    downloadThroughput: (down * 1000) / 8,
    uploadThroughput: (up * 1000) / 8,
  });
  cdp.on('Network.requestWillBeSent', (event) => {
    now.wallOffset ??= event.wallTime - event.timestamp;
    now.urls.set(event.requestId, event.request.url);
  });
  cdp.on('Network.dataReceived', (event) => {
    now.chunks.push({ t: event.timestamp, bytes: event.encodedDataLength, id: event.requestId });
  });
  cdp.on('Network.loadingFinished', (event) => now.finished.set(event.requestId, event));
  cdp.on('Network.requestServedFromCache', (event) => now.fromCache.add(event.requestId));
  cdp.on('Network.responseReceived', (event) => {
    if (event.response.fromDiskCache || event.response.fromPrefetchCache) {
      now.fromCache.add(event.requestId);
    }
  });
  cdp.on('Network.responseReceivedExtraInfo', (event) => now.status.set(event.requestId, event.statusCode));

  await page.addInitScript(() => {
    window.__speed = { lcp: [], cls: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const poster = entry.element?.dataset?.testid === 'poster';
        window.__speed.lcp.push({ t: entry.renderTime || entry.loadTime, url: entry.url, poster });
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) {
          window.__speed.cls += entry.value;
        }
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });

  // One load: `navigate` starts it; the figures once every LOD is drawn (or the cap).
  async function measure(navigate) {
    now = collector();
    const seenNow = now;
    await navigate();
    // Until every LOD has been shown or has failed (the status line says "done"), or the cap.
    await page
      .waitForFunction(() => document.querySelector('[data-testid="viewer-status"]')?.dataset.state === 'done', null, {
        timeout: spec.waitMs,
        polling: 100,
      })
      .catch(() => seenNow.errors.push(`not done within ${spec.waitMs} ms`));
    await page.waitForTimeout(300); // the last LOD's frame
    const seen = await page.evaluate(
      ({ FIRST_FRAME, LOD_DRAWN }) => {
        const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? null;
        const lods = performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith(LOD_DRAWN))
          .map((m) => ({ lod: m.name.slice(LOD_DRAWN.length), t: m.startTime }));
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
        return {
          timeOrigin: performance.timeOrigin,
          fcp,
          lcp: window.__speed.lcp,
          cls: window.__speed.cls,
          firstFrame: mark(FIRST_FRAME),
          lods,
        };
      },
      { FIRST_FRAME, LOD_DRAWN },
    );
    const pageMs = (t) => (t + seenNow.wallOffset) * 1000 - seen.timeOrigin;
    // A poster that was the LCP element: the time it was painted (removed later by the viewer).
    const posterPaint = seen.lcp.find((entry) => entry.poster);
    const chunkTotal = new Map();
    for (const chunk of seenNow.chunks) {
      chunkTotal.set(chunk.id, (chunkTotal.get(chunk.id) ?? 0) + chunk.bytes);
    }
    const onWire = seenNow.chunks.map((c) => ({ t: pageMs(c.t), bytes: c.bytes, id: c.id }));
    for (const [id, event] of seenNow.finished) {
      onWire.push({ t: pageMs(event.timestamp), bytes: Math.max(event.encodedDataLength - (chunkTotal.get(id) ?? 0), 0), id });
    }
    const bytesUntil = (t) => onWire.filter((c) => t !== null && c.t <= t).reduce((sum, c) => sum + c.bytes, 0);
    // What the bytes before the first frame were, per path.
    const beforeByPath = {};
    for (const c of onWire) {
      const url = seenNow.urls.get(c.id);
      if (seen.firstFrame !== null && c.t <= seen.firstFrame && url?.startsWith('http')) {
        const path = new URL(url).pathname;
        beforeByPath[path] = (beforeByPath[path] ?? 0) + c.bytes;
      }
    }
    const http = [...seenNow.urls].filter(([, u]) => u.startsWith('http'));
    const requests = http.map(([, u]) => new URL(u).pathname);
    const counts = {};
    for (const path of requests) {
      counts[path] = (counts[path] ?? 0) + 1;
    }
    const answered = { cache: 0, revalidated: 0, fetched: 0 };
    const answeredBy = {};
    for (const [id, u] of http) {
      const from = where(seenNow, id);
      answered[from] += 1;
      answeredBy[new URL(u).pathname] = from;
    }
    const last = seen.lods.at(-1) ?? null;
    return {
      errors: seenNow.errors,
      fcp_ms: seen.fcp,
      lcp_ms: seen.lcp.at(-1)?.t ?? null,
      lcp_url: seen.lcp.at(-1)?.url ? new URL(seen.lcp.at(-1).url).pathname : null,
      poster_ms: posterPaint?.t ?? null,
      first_frame_ms: seen.firstFrame,
      first_lod: seen.lods[0]?.lod ?? null,
      final_lod: last?.lod ?? null,
      final_lod_ms: last?.t ?? null,
      lods_drawn: seen.lods,
      bytes_before_first_frame: bytesUntil(seen.firstFrame),
      before_by_path: beforeByPath,
      total_bytes: onWire.reduce((sum, c) => sum + c.bytes, 0),
      cls: seen.cls,
      fetched_twice: Object.entries(counts).filter(([, n]) => n > 1).map(([path]) => path),
      requests,
      answered,
      answered_by_path: answeredBy,
    };
  }

  Object.assign(result, await measure(() => page.goto(spec.url, { waitUntil: 'commit' })));
  if (spec.then?.length) {
    result.then = [];
    for (const visit of spec.then) {
      const navigate = visit.url
        ? () => page.goto(visit.url, { waitUntil: 'commit' })
        : () => page.reload({ waitUntil: 'commit' });
      result.then.push({ name: visit.name, ...(await measure(navigate)) });
    }
  }
  await context.close();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
