import { ApiError, networkProblem, problemFromResponse } from '../api/problem';

/** Shapes of the admin product API (docs/sellers.md). */
export type ProductStatus = 'draft' | 'active' | 'archived';

export interface Dimensions {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
}

export interface AdminProduct {
  readonly sku: string;
  readonly seller: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly price_minor: number;
  readonly currency: string;
  readonly status: ProductStatus;
  readonly stock: number | null;
  readonly dimensions_mm: Dimensions | null;
  readonly version: number;
  readonly updated_at: string;
  readonly asset: {
    readonly status: 'NONE' | 'PENDING' | 'READY' | 'REJECTED';
    readonly reason: string | null;
    readonly manifest_url: string | null;
  };
  readonly upload: { readonly upload_id: string; readonly file_name: string; readonly size: number } | null;
}

export interface PartUrl {
  readonly part_number: number;
  readonly size: number;
  readonly url: string;
}

export interface UploadPlan {
  readonly upload_id: string;
  readonly file_name: string;
  readonly size: number;
  readonly part_size: number;
  readonly part_count: number;
  readonly parts_done: readonly { readonly part_number: number; readonly size: number }[];
  readonly parts: readonly PartUrl[];
}

export type ProductFields = Partial<Omit<AdminProduct, 'seller' | 'version' | 'updated_at' | 'asset' | 'upload'>>;

const BASE = 'api/admin/';

export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  async categories(): Promise<string[]> {
    return ((await this.call('GET', 'categories')) as { categories: string[] }).categories;
  }

  async list(cursor: string | null): Promise<{ products: AdminProduct[]; next_cursor: string | null }> {
    const query = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    return (await this.call('GET', `products${query}`)) as { products: AdminProduct[]; next_cursor: string | null };
  }

  async get(sku: string): Promise<AdminProduct> {
    return (await this.call('GET', `products/${encodeURIComponent(sku)}`)) as AdminProduct;
  }

  async create(fields: ProductFields): Promise<AdminProduct> {
    return (await this.call('POST', 'products', fields)) as AdminProduct;
  }

  /** An edit of the version the form was filled from: a 412 means someone else saved first. */
  async update(sku: string, version: number, fields: ProductFields): Promise<AdminProduct> {
    return (await this.call('PATCH', `products/${encodeURIComponent(sku)}`, fields, { 'If-Match': `"${version}"` })) as AdminProduct;
  }

  async startUpload(sku: string, file: File): Promise<UploadPlan> {
    return (await this.call('POST', `products/${encodeURIComponent(sku)}/uploads`, { file_name: file.name, size: file.size })) as UploadPlan;
  }

  async resumeUpload(sku: string): Promise<UploadPlan> {
    return (await this.call('GET', `products/${encodeURIComponent(sku)}/uploads/current`)) as UploadPlan;
  }

  async completeUpload(sku: string, uploadId: string): Promise<AdminProduct> {
    return (await this.call('POST', `products/${encodeURIComponent(sku)}/uploads/current/complete`, { upload_id: uploadId })) as AdminProduct;
  }

  private async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<unknown> {
    const url = new URL(BASE + path, this.baseUrl).href;
    // The session cookie (HttpOnly, sent by the browser) says who is signed in.
    const headers: Record<string, string> = { Accept: 'application/json', ...extra };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (failure) {
      throw new ApiError(networkProblem(url, failure));
    }
    if (!response.ok) {
      throw new ApiError(await problemFromResponse(response));
    }
    return (await response.json()) as unknown;
  }
}
