/**
 * The account calls of the backend-for-frontend (/api/account/*, /api/orders). The browser
 * never sees a token: sign-in answers with an HttpOnly session cookie the browser keeps and
 * sends by itself; the server holds the Cognito tokens, refreshes them and revokes them.
 */
import type { ApiClient } from './client';
import { ApiError } from './problem';

export interface Account {
  readonly sub: string;
  readonly email: string;
}

export interface OrderSummary {
  readonly order_id: string;
  readonly status: string;
  readonly currency: string;
  readonly total_minor: number;
  readonly created_at: string;
}

/** Signed in, or a TOTP code is needed to finish (answer with signInTotp). */
export type SignInResult =
  | { readonly kind: 'signed-in'; readonly account: Account }
  | { readonly kind: 'totp'; readonly challenge: string };

export class Accounts {
  constructor(private readonly api: ApiClient) {}

  async signUp(email: string, password: string): Promise<void> {
    await this.api.send('POST', 'account/sign-up', { email, password });
  }

  async confirm(email: string, code: string): Promise<void> {
    await this.api.send('POST', 'account/confirm', { email, code });
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    const body = (await this.api.send('POST', 'account/sign-in', { email, password })) as Record<string, unknown>;
    if (body.mfa === 'totp') {
      return { kind: 'totp', challenge: String(body.challenge) };
    }
    return { kind: 'signed-in', account: body as unknown as Account };
  }

  async signInTotp(email: string, challenge: string, code: string): Promise<Account> {
    return (await this.api.send('POST', 'account/sign-in/totp', { email, challenge, code })) as Account;
  }

  /** The signed-in account, or null for a guest. */
  async current(): Promise<Account | null> {
    try {
      return (await this.api.send('GET', 'account')) as Account;
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        return null;
      }
      throw failure;
    }
  }

  async signOut(): Promise<void> {
    await this.api.send('POST', 'account/sign-out', {});
  }

  async startTotp(): Promise<{ secret: string; otpauth_uri: string }> {
    return (await this.api.send('POST', 'account/totp', {})) as { secret: string; otpauth_uri: string };
  }

  async verifyTotp(code: string): Promise<void> {
    await this.api.send('POST', 'account/totp/verify', { code });
  }

  async forgotPassword(email: string): Promise<void> {
    await this.api.send('POST', 'account/password/forgot', { email });
  }

  async resetPassword(email: string, code: string, password: string): Promise<void> {
    await this.api.send('POST', 'account/password/reset', { email, code, password });
  }

  async myOrders(): Promise<OrderSummary[]> {
    const body = (await this.api.send('GET', 'orders')) as { orders: OrderSummary[] };
    return body.orders;
  }
}
