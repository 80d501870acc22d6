import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client';
import { ApiError } from '../../src/api/problem';
import { getPayment, payWithCardToken } from '../../src/api/payments';
import { stripeErrorText } from '../../src/payment/stripeJs';
import { checkoutHref, parseRoute } from '../../src/router';

function client(answer: unknown, seen: Request[] = []): ApiClient {
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Request(input, init));
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  return new ApiClient({ baseUrl: 'https://shop.example/', fetchImpl, newIdempotencyKey: () => 'k-1' });
}

describe('the payment step', () => {
  it('has its own route, the order id round-tripped', () => {
    expect(parseRoute(checkoutHref('o 1/2'))).toEqual({ page: 'checkout', orderId: 'o 1/2' });
  });

  it('posts the card token, never a card number, with an Idempotency-Key', async () => {
    const seen: Request[] = [];
    const attempt = await payWithCardToken(client({ order_id: 'o-1', intent_status: 'succeeded' }, seen), 'o-1', 'tok_abc');
    expect(attempt.intent_status).toBe('succeeded');
    expect(seen[0]?.url).toBe('https://shop.example/api/orders/o-1/payment');
    expect(seen[0]?.headers.get('Idempotency-Key')).toBe('k-1');
    expect(await seen[0]?.json()).toEqual({ card_token: 'tok_abc' });
  });

  it('refuses a payment step answer without its payment block', async () => {
    const failure = await getPayment(client({ order_id: 'o-1' }), 'o-1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem.detail).toMatch(/lacks order_id or payment/);
  });

  it("shows Stripe's message, or says what to check when there is none", () => {
    expect(stripeErrorText({ message: 'Your card number is incomplete.' }, 'x')).toBe('Your card number is incomplete.');
    expect(stripeErrorText({ message: '  ' }, 'Check the card.')).toBe('Check the card.');
    expect(stripeErrorText(null, 'Check the card.')).toBe('Check the card.');
  });
});
