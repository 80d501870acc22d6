/** The payment step's API: its PaymentIntent's client secret and keys, and paying with a card token. */
import type { ApiClient } from './client';
import { ApiError } from './problem';

export interface PaymentDetails {
  readonly provider: 'stripe';
  readonly intent_id: string;
  readonly client_secret: string;
  readonly publishable_key: string;
  readonly stripe_js_url: string;
  readonly amount_minor: number;
  readonly currency: string;
}

export interface OrderPayment {
  readonly order_id: string;
  readonly status: string;
  readonly total_minor: number;
  readonly currency: string;
  readonly expires_at: string | null;
  readonly payment: PaymentDetails | null;
}

/** What Stripe said of the confirm: succeeded/processing (PAID follows) or requires_action (3-D Secure). */
export interface PaymentAttempt {
  readonly order_id: string;
  readonly intent_status: string;
}

function unexpected(detail: string): ApiError {
  return new ApiError({ type: 'about:blank', title: 'Unexpected response', status: 0, detail });
}

export async function getPayment(api: ApiClient, orderId: string): Promise<OrderPayment> {
  const body = (await api.send('GET', `orders/${encodeURIComponent(orderId)}/payment`)) as OrderPayment | null;
  if (body === null || typeof body.order_id !== 'string' || !('payment' in body)) {
    throw unexpected('The payment step response lacks order_id or payment.');
  }
  return body;
}

export async function payWithCardToken(api: ApiClient, orderId: string, cardToken: string): Promise<PaymentAttempt> {
  const body = (await api.send('POST', `orders/${encodeURIComponent(orderId)}/payment`, { card_token: cardToken })) as PaymentAttempt | null;
  if (body === null || typeof body.intent_status !== 'string') {
    throw unexpected('The payment response lacks intent_status.');
  }
  return body;
}
