// CloudFront Function (cloudfront-js-2.0), viewer request on the default behaviour when the web
// tier is off: the storefront's own routes (/products/<sku>, /cart, /search, /admin/...) are
// client-side routes with no object in the bucket, so they get the shell, /index.html, and the
// storefront's router reads the path. Files (a dot in the last segment: /favicon.ico,
// /robots.txt, /sitemap.xml) and the prefixes other behaviours or the bucket own pass unchanged.
// The query string is a separate field of the event (request.querystring) and is kept as it is.
var SHELL = '/index.html';
var PASS_PREFIXES = ['/static/', '/api/', '/assets/'];

function isStorefrontRoute(uri) {
  for (var i = 0; i < PASS_PREFIXES.length; i++) {
    if (uri.indexOf(PASS_PREFIXES[i]) === 0) {
      return false;
    }
  }
  var last = uri.slice(uri.lastIndexOf('/') + 1);
  return last.indexOf('.') === -1;
}

function handler(event) {
  var request = event.request;
  if (isStorefrontRoute(request.uri)) {
    request.uri = SHELL;
  }
  return request;
}
