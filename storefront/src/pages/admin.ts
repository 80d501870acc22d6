import { AdminApi, type AdminProduct, type ProductFields, type UploadPlan } from '../admin/adminApi';
import { categoryOptions, categoryToSave } from '../admin/categoryChoice';
import { afterUploadWords, ASSET_WORDS, uploadButtonLabel, type AssetStatus } from '../admin/modelState';
import { uploadParts } from '../admin/partUpload';
import { ApiError } from '../api/problem';
import { Accounts } from '../api/accounts';
import { parseManifest } from '../lod/manifest';
import { ACCOUNT_HREF, ADMIN_HREF, adminProductHref, ADMIN_NEW_HREF, go, siteRoot } from '../router';
import { h } from '../ui/dom';
import { errorBox } from '../ui/errorBox';
import { formatMoney, SHOP_CURRENCY } from '../ui/money';
import type { AppContext, Page } from './context';

function api(): AdminApi {
  return new AdminApi(siteRoot());
}

async function needsSignIn(ctx: AppContext, outlet: HTMLElement): Promise<boolean> {
  if ((await new Accounts(ctx.api).current()) !== null) {
    return false;
  }
  outlet.replaceChildren(
    h('h1', {}, 'Seller admin'),
    h('p', { testid: 'admin-sign-in' }, h('a', { href: ACCOUNT_HREF }, 'Sign in'), ' with a seller or admin account to manage products.'),
  );
  return true;
}

export const adminListPage: Page = async (ctx, outlet) => {
  if (await needsSignIn(ctx, outlet)) {
    return;
  }
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', testid: 'admin-more' }, 'More');
  let cursor: string | null = null;
  const load = async (): Promise<void> => {
    const page = await api().list(cursor);
    for (const p of page.products) {
      rows.append(
        h(
          'tr',
          { testid: 'admin-row', 'data-sku': p.sku },
          h('td', {}, h('a', { href: adminProductHref(p.sku) }, p.sku)),
          h('td', {}, p.name),
          h('td', {}, p.status),
          h('td', { testid: 'admin-row-asset' }, ASSET_WORDS[p.asset.status]),
          h('td', {}, formatMoney(p.price_minor, p.currency)),
        ),
      );
    }
    cursor = page.next_cursor;
    more.hidden = cursor === null;
  };
  more.addEventListener('click', () => void load());
  await load();
  outlet.replaceChildren(
    h('h1', {}, 'Your products'),
    h('p', {}, h('a', { href: ADMIN_NEW_HREF, testid: 'admin-new' }, 'New product')),
    h('table', { class: 'admin-list' }, h('thead', {}, h('tr', {}, ...['SKU', 'Name', 'Status', '3D model', 'Price'].map((t) => h('th', {}, t)))), rows),
    more,
  );
};

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function input(name: string, value: string | number | null | undefined, type = 'text'): HTMLInputElement {
  return h('input', { name, type, value: value === null || value === undefined ? '' : String(value), testid: `field-${name}` });
}

function readForm(form: HTMLFormElement, current: AdminProduct | null): ProductFields {
  const data = new FormData(form);
  const text = (k: string): string => String(data.get(k) ?? '').trim();
  const whole = (k: string): number => Number.parseInt(text(k), 10);
  const fields: Record<string, unknown> = {
    name: text('name'),
    description: text('description'),
    price_minor: whole('price_minor'),
    currency: text('currency'),
    stock: whole('stock'),
    status: text('status'),
  };
  if (text('width') && text('height') && text('depth')) {
    fields.dimensions_mm = { width: whole('width'), height: whole('height'), depth: whole('depth') };
  }
  const category = categoryToSave(text('category'), current?.category);
  if (category !== null) {
    fields.category = category;
  }
  if (current === null) {
    fields.sku = text('sku');
  }
  return fields as ProductFields;
}

export const adminEditPage = (sku: string | null): Page => async (ctx, outlet, signal) => {
  if (await needsSignIn(ctx, outlet)) {
    return;
  }
  const admin = api();
  const [categories, product] = await Promise.all([admin.categories(), sku === null ? Promise.resolve(null) : admin.get(sku)]);
  let current: AdminProduct | null = product;
  const status = h('div', { testid: 'admin-status', 'aria-live': 'polite' });
  const category = h(
    'select',
    { name: 'category', testid: 'field-category' },
    ...categoryOptions(categories, product?.category).map((o) => h('option', { value: o.value, selected: o.selected }, o.label)),
  );
  const state = h('select', { name: 'status', testid: 'field-status' }, ...['draft', 'active', 'archived'].map((s) => h('option', { value: s, selected: (product?.status ?? 'draft') === s }, s)));
  const form = h(
    'form',
    { class: 'admin-form', testid: 'admin-form' },
    product === null ? field('SKU', input('sku', '')) : h('p', {}, `SKU ${product.sku} · version `, h('span', { testid: 'admin-version' }, String(product.version))),
    field('Name', input('name', product?.name)),
    field('Description', h('textarea', { name: 'description', testid: 'field-description' }, product?.description ?? '')),
    field('Category', category),
    field('Price (minor units, e.g. cents)', input('price_minor', product?.price_minor ?? 0, 'number')),
    field('Currency', input('currency', product?.currency ?? SHOP_CURRENCY)),
    field('Stock', input('stock', product?.stock ?? 0, 'number')),
    field('Width (mm)', input('width', product?.dimensions_mm?.width, 'number')),
    field('Height (mm)', input('height', product?.dimensions_mm?.height, 'number')),
    field('Depth (mm)', input('depth', product?.dimensions_mm?.depth, 'number')),
    field('Status', state),
    h('button', { type: 'submit', class: 'primary', testid: 'admin-save' }, product === null ? 'Create' : 'Save'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fields = readForm(form, current);
    if (current === null && fields.category === undefined) {
      status.replaceChildren('Choose a category first.');
      return;
    }
    const saving = current === null ? admin.create(fields) : admin.update(current.sku, current.version, fields);
    saving
      .then((saved) => {
        if (current === null) {
          go(adminProductHref(saved.sku));
          return;
        }
        current = saved;
        status.replaceChildren(`Saved as version ${saved.version}.`);
        const version = form.querySelector('[data-testid="admin-version"]');
        if (version) {
          version.textContent = String(saved.version);
        }
      })
      .catch((failure: unknown) => {
        const lost = failure instanceof ApiError && failure.problem.status === 412;
        status.replaceChildren(errorBox(failure), lost ? h('p', {}, 'Someone saved this product after you opened it: reload to see their changes.') : '');
      });
  });
  const children: HTMLElement[] = [h('p', {}, h('a', { href: ADMIN_HREF }, '← Your products')), h('h1', {}, product?.name ?? 'New product'), form, status];
  if (product !== null) {
    children.push(modelSection(admin, product, signal));
  }
  outlet.replaceChildren(...children);
};

function modelSection(admin: AdminApi, product: AdminProduct, signal: AbortSignal): HTMLElement {
  const assetState = h('p', { testid: 'asset-status', 'data-status': product.asset.status }, ASSET_WORDS[product.asset.status]);
  if (product.asset.reason) {
    assetState.append(h('span', { class: 'reason', testid: 'asset-reason' }, `: ${product.asset.reason}`));
  }
  const file = h('input', { type: 'file', accept: '.glb,.gltf,.obj,.stl,.ply', testid: 'upload-file' });
  const bar = h('progress', { max: 1, value: 0, testid: 'upload-progress' });
  const words = h('p', { testid: 'upload-words', 'aria-live': 'polite' });
  // The upload S3 holds parts of, if any: none once completed, so a new file is a new upload.
  let unfinished = product.upload;
  const start = h('button', { type: 'button', testid: 'upload-start' }, uploadButtonLabel(product.asset.status, unfinished !== null));
  const previews = h('div', { class: 'lod-previews', testid: 'lod-previews' });
  start.addEventListener('click', () => {
    const chosen = file.files?.[0];
    if (!chosen) {
      words.replaceChildren('Choose the model file first.');
      return;
    }
    start.disabled = true;
    const resuming = unfinished !== null && unfinished.file_name === chosen.name && unfinished.size === chosen.size;
    const planning: Promise<UploadPlan> = resuming ? admin.resumeUpload(product.sku) : admin.startUpload(product.sku, chosen);
    let asset: AssetStatus | null = null;
    planning
      .then(async (plan) => {
        unfinished = { upload_id: plan.upload_id, file_name: chosen.name, size: chosen.size };
        await uploadParts(chosen, plan, {
          signal,
          onProgress: (p) => {
            bar.max = p.totalBytes;
            bar.value = p.sentBytes;
            bar.dataset.partsDone = String(p.partsDone);
            words.textContent = `${Math.round((100 * p.sentBytes) / p.totalBytes)}% · ${p.partsDone} of ${p.partCount} parts`;
          },
        });
        await admin.completeUpload(product.sku, plan.upload_id);
        unfinished = null;
        asset = 'PENDING';
        words.textContent = afterUploadWords(asset);
        asset = (await watchAsset(admin, product.sku, assetState, previews, signal)) ?? asset;
        words.textContent = afterUploadWords(asset);
      })
      .catch((failure: unknown) =>
        words.replaceChildren(errorBox(failure), unfinished === null ? '' : 'Choose the same file and press Resume upload to go on.'),
      )
      .finally(() => {
        start.disabled = false;
        start.textContent = uploadButtonLabel(asset ?? product.asset.status, unfinished !== null);
      });
  });
  if (product.asset.status === 'READY' && product.asset.manifest_url) {
    void showLodPreviews(product.asset.manifest_url, previews, signal);
  } else if (product.asset.status === 'PENDING') {
    void watchAsset(admin, product.sku, assetState, previews, signal);
  }
  return h('section', { class: 'model', testid: 'model-section' }, h('h2', {}, '3D model'), assetState, file, start, bar, words, previews);
}

const POLL_MS = 1000;

/** Polls until the model is READY or REJECTED; that state, or null when the page was left. */
async function watchAsset(
  admin: AdminApi,
  sku: string,
  assetState: HTMLElement,
  previews: HTMLElement,
  signal: AbortSignal,
): Promise<AssetStatus | null> {
  while (!signal.aborted) {
    const product = await admin.get(sku);
    assetState.dataset.status = product.asset.status;
    assetState.textContent = ASSET_WORDS[product.asset.status] + (product.asset.reason ? `: ${product.asset.reason}` : '');
    if (product.asset.status === 'READY' && product.asset.manifest_url) {
      await showLodPreviews(product.asset.manifest_url, previews, signal);
      return 'READY';
    }
    if (product.asset.status === 'REJECTED') {
      return 'REJECTED';
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

/** One button per LOD: each shows that level alone, so a seller sees what shoppers get first. */
async function showLodPreviews(manifestUrl: string, previews: HTMLElement, signal: AbortSignal): Promise<void> {
  const response = await fetch(manifestUrl, { signal });
  const manifest = parseManifest(await response.json(), new URL(manifestUrl, document.baseURI).href);
  const stage = h('div', { class: 'viewer', testid: 'lod-viewer' });
  let showing: AbortController | null = null;
  const buttons = manifest.lods.map((lod) => {
    const button = h('button', { type: 'button', testid: 'lod-preview', 'data-lod': lod.name }, `${lod.name} · ${lod.triangles.toLocaleString()} triangles`);
    button.addEventListener('click', () => {
      showing?.abort();
      showing = new AbortController();
      signal.addEventListener('abort', () => showing?.abort(), { once: true });
      stage.replaceChildren();
      void import('../viewer/productViewer').then(({ mountProductViewer }) => mountProductViewer(stage, manifestUrl, (showing as AbortController).signal, `${lod.name} LOD`, lod.name));
    });
    return button;
  });
  previews.replaceChildren(h('p', {}, 'Preview each level of detail:'), ...buttons, stage);
}
