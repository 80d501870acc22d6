/**
 * Account pages: sign in (/account when signed out), the account with "my orders", TOTP
 * enrolment and sign-out (/account when signed in), sign up with e-mail confirmation
 * (/sign-up) and password reset (/reset). Every call goes to the backend-for-frontend.
 */
import { Accounts, type Account } from '../api/accounts';
import { ACCOUNT_HREF, orderHref, RESET_HREF, SIGN_UP_HREF } from '../router';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney } from '../ui/money';
import type { AppContext, Page } from './context';

type Field = { name: string; label: string; type: string; autocomplete: string };
const EMAIL: Field = { name: 'email', label: 'E-mail', type: 'email', autocomplete: 'username' };
const PASSWORD: Field = { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' };
const NEW_PASSWORD: Field = { ...PASSWORD, autocomplete: 'new-password' };
const CODE: Field = { name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code' };

/** A form whose submit runs `act` with the field values; errors are shown above the button. */
function form(testid: string, fields: Field[], submit: string, act: (values: Record<string, string>) => Promise<void>): HTMLFormElement {
  const errors = h('div', { class: 'errors' });
  const inputs = fields.map((f) =>
    h('input', { name: f.name, type: f.type, autocomplete: f.autocomplete, required: true, testid: `${testid}-${f.name}`, 'aria-label': f.label }),
  );
  const button = h('button', { type: 'submit', testid: `${testid}-submit` }, submit);
  const el = h(
    'form',
    { class: 'account-form', testid },
    ...fields.map((f, i) => h('label', {}, f.label, inputs[i])),
    errors,
    button,
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    errors.replaceChildren();
    button.disabled = true;
    const values = Object.fromEntries(inputs.map((input) => [input.name, input.value]));
    act(values)
      .catch((failure: unknown) => errors.replaceChildren(errorBox(failure)))
      .finally(() => {
        button.disabled = false;
      });
  });
  return el;
}

function signInView(ctx: AppContext, outlet: HTMLElement, accounts: Accounts): HTMLElement[] {
  const signIn = form('sign-in', [EMAIL, PASSWORD], 'Sign in', async ({ email, password }) => {
    const result = await accounts.signIn(email as string, password as string);
    if (result.kind === 'signed-in') {
      await accountPage(ctx, outlet, new AbortController().signal);
      return;
    }
    const totp = form('sign-in-totp', [CODE], 'Verify', async ({ code }) => {
      await accounts.signInTotp(email as string, result.challenge, code as string);
      await accountPage(ctx, outlet, new AbortController().signal);
    });
    outlet.replaceChildren(h('h1', {}, 'Authenticator code'), totp);
  });
  return [
    h('h1', {}, 'Sign in'),
    signIn,
    h('p', {}, h('a', { href: SIGN_UP_HREF, testid: 'sign-up-link' }, 'Create an account'), ' · ', h('a', { href: RESET_HREF, testid: 'reset-link' }, 'Forgot the password?')),
  ];
}

async function signedInView(ctx: AppContext, outlet: HTMLElement, accounts: Accounts, account: Account): Promise<HTMLElement[]> {
  const orders = await accounts.myOrders();
  const list = h(
    'ul',
    { class: 'my-orders', testid: 'my-orders' },
    ...orders.map((o) =>
      h('li', { testid: 'my-order', 'data-order-id': o.order_id }, h('a', { href: orderHref(o.order_id) }, o.order_id.slice(0, 8)), ` ${o.status} ${formatMoney(o.total_minor, o.currency)}`),
    ),
  );
  const totpArea = h('div', { testid: 'totp-area' });
  const enrol = h('button', { type: 'button', testid: 'totp-start' }, 'Set up an authenticator app');
  enrol.addEventListener('click', () => {
    accounts
      .startTotp()
      .then(({ secret, otpauth_uri }) => {
        const verify = form('totp-verify', [CODE], 'Turn on', async ({ code }) => {
          await accounts.verifyTotp(code as string);
          totpArea.replaceChildren(h('p', { testid: 'totp-on' }, 'Authenticator codes are on.'));
        });
        totpArea.replaceChildren(h('p', {}, 'Secret: ', h('code', { testid: 'totp-secret' }, secret)), h('p', { class: 'small' }, otpauth_uri), verify);
      })
      .catch((failure: unknown) => totpArea.replaceChildren(errorBox(failure)));
  });
  const signOut = h('button', { type: 'button', testid: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    accounts
      .signOut()
      .then(() => accountPage(ctx, outlet, new AbortController().signal))
      .catch((failure: unknown) => outlet.append(errorBox(failure)));
  });
  return [
    h('h1', {}, 'Your account'),
    h('p', {}, 'Signed in as ', h('strong', { testid: 'account-email' }, account.email)),
    h('h2', {}, 'My orders'),
    orders.length === 0 ? h('p', { testid: 'no-orders' }, 'No orders yet.') : list,
    totpArea,
    enrol,
    signOut,
  ];
}

export const accountPage: Page = async (ctx, outlet) => {
  const accounts = new Accounts(ctx.api);
  const account = await accounts.current();
  outlet.replaceChildren(...(account === null ? signInView(ctx, outlet, accounts) : await signedInView(ctx, outlet, accounts, account)));
  ctx.api.getCart().then(ctx.cartChanged, () => undefined); // a merged cart after sign-in
};

export const signUpPage: Page = async (_ctx, outlet) => {
  const accounts = new Accounts(_ctx.api);
  const signUp = form('sign-up', [EMAIL, NEW_PASSWORD], 'Create account', async ({ email, password }) => {
    await accounts.signUp(email as string, password as string);
    const verify = form('verify', [CODE], 'Confirm e-mail', async ({ code }) => {
      await accounts.confirm(email as string, code as string);
      outlet.replaceChildren(h('h1', {}, 'E-mail confirmed'), h('p', { testid: 'confirmed' }, h('a', { href: ACCOUNT_HREF, testid: 'to-sign-in' }, 'Sign in')));
    });
    outlet.replaceChildren(h('h1', {}, 'Check your e-mail'), h('p', {}, `A code was sent to ${email as string}.`), verify);
  });
  outlet.replaceChildren(h('h1', {}, 'Create an account'), signUp);
};

export const resetPage: Page = async (ctx, outlet) => {
  const accounts = new Accounts(ctx.api);
  const ask = form('forgot', [EMAIL], 'Send a reset code', async ({ email }) => {
    await accounts.forgotPassword(email as string);
    const reset = form('reset', [CODE, NEW_PASSWORD], 'Set the new password', async ({ code, password }) => {
      await accounts.resetPassword(email as string, code as string, password as string);
      outlet.replaceChildren(h('h1', {}, 'Password changed'), h('p', { testid: 'reset-done' }, h('a', { href: ACCOUNT_HREF }, 'Sign in')));
    });
    outlet.replaceChildren(h('h1', {}, 'Check your e-mail'), reset);
  });
  outlet.replaceChildren(h('h1', {}, 'Reset the password'), ask);
};
