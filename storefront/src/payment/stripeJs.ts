/**
 * Stripe.js, loaded from the URL the API names (js.stripe.com in AWS, localstripe's
 * /js.stripe.com/v3/ stand-in locally): Stripe requires it to come from its own origin, never
 * bundled. Only the calls the payment step makes are typed here; both the real Stripe.js and
 * the stand-in have them (a card Element, createToken, confirmCardPayment for 3-D Secure).
 */

export interface StripeError {
  readonly message?: string;
  readonly code?: string;
}

export interface CardElement {
  mount(target: HTMLElement): void;
  destroy(): void;
}

export interface StripeJs {
  elements(): { create(type: 'card', options?: Record<string, unknown>): CardElement };
  createToken(card: CardElement): Promise<{ token?: { id: string }; error?: StripeError | null }>;
  confirmCardPayment(clientSecret: string): Promise<{ paymentIntent?: { status: string }; error?: StripeError | null }>;
}

type StripeFactory = (publishableKey: string) => StripeJs;

const loading = new Map<string, Promise<StripeFactory>>();

/** Adds the script once per URL and resolves with the global `Stripe` it defines. */
export function loadStripeJs(url: string): Promise<StripeFactory> {
  const known = loading.get(url);
  if (known !== undefined) {
    return known;
  }
  const loaded = new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.addEventListener('load', () => {
      const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
      if (typeof factory === 'function') {
        resolve(factory);
      } else {
        reject(new Error(`The payment library from ${url} did not start (no Stripe object).`));
      }
    });
    script.addEventListener('error', () => {
      loading.delete(url); // a later visit tries again
      reject(new Error(`The payment library could not be loaded from ${url}. Check the connection and reload.`));
    });
    document.head.append(script);
  });
  loading.set(url, loaded);
  return loaded;
}

/** Stripe.js's error in words a shopper can act on. */
export function stripeErrorText(error: StripeError | null | undefined, fallback: string): string {
  const message = error?.message?.trim();
  return message ? message : fallback;
}
