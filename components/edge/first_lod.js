// CloudFront Function (cloudfront-js-2.0), viewer request on the page routes: chooses the first
// LOD and texture size from the browser's hints (Save-Data, Device-Memory, DPR, ECT, Downlink) and hands
// the choice to the web tier as the x-shop3d-first-lod header (part of the page cache key).
// The same decision, line for line, is handlers/pages/hints.py; tests run both on one table.
var SLOW = { 'slow-2g': true, '2g': true, '3g': true };
var FAST_DOWNLINK_MBPS = 5;

function hint(headers, name) {
  var h = headers[name];
  return h ? String(h.value).trim().toLowerCase() : '';
}

function decide(headers) {
  var saveData = hint(headers, 'save-data') === 'on';
  var ect = hint(headers, 'ect');
  var memory = parseFloat(hint(headers, 'device-memory') || hint(headers, 'sec-ch-device-memory'));
  var dpr = parseFloat(hint(headers, 'dpr') || hint(headers, 'sec-ch-dpr'));
  var downlink = parseFloat(hint(headers, 'downlink'));
  if (saveData || SLOW[ect] === true || (memory > 0 && memory < 2)) {
    return 'preview-256';
  }
  // ECT says 4g from 270 ms RTT and 700 kbps down: Slow 4G too. Standard first only on a
  // downlink that brings its bytes in about as fast as the preview's on Slow 4G (bench/pages).
  if (ect === '4g' && downlink >= FAST_DOWNLINK_MBPS && memory >= 4 && dpr >= 2) {
    return 'standard-1024';
  }
  return 'preview-512';
}

function handler(event) {
  var request = event.request;
  request.headers['x-shop3d-first-lod'] = { value: decide(request.headers) };
  return request;
}
