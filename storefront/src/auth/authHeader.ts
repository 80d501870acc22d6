/**
 * The only place that knows how a signed-in user is identified to the cart API.
 *
 * Guests need nothing here: the API sets the `shop3d_cart` cookie and the browser
 * sends it back. A "Sign in" flow (a Cognito access token in AWS, a local token
 * issuer on the local platform) is wired later and only has to call setAccessToken().
 */

const STORAGE_KEY = 'shop3d.accessToken';

function storage(): Storage | null {
  // sessionStorage, not localStorage: the token dies with the tab.
  return typeof sessionStorage === 'undefined' ? null : sessionStorage;
}

export function setAccessToken(token: string | null): void {
  const store = storage();
  if (store === null) {
    return;
  }
  if (token === null) {
    store.removeItem(STORAGE_KEY);
  } else {
    store.setItem(STORAGE_KEY, token);
  }
}

export function accessToken(): string | null {
  return storage()?.getItem(STORAGE_KEY) ?? null;
}

/** Headers to add to every API request: a bearer token when signed in, else none. */
export function authHeaders(): Record<string, string> {
  const token = accessToken();
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}
