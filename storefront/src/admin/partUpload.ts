import type { PartUrl, UploadPlan } from './adminApi';

/** Sends one part's bytes to its presigned URL, reporting bytes sent; resolves on HTTP 200. */
export type SendPart = (url: string, body: Blob, onBytes: (sent: number) => void, signal: AbortSignal) => Promise<void>;

export interface Progress {
  readonly sentBytes: number;
  readonly totalBytes: number;
  readonly partsDone: number;
  readonly partCount: number;
}

export interface UploadOptions {
  readonly parallel?: number;
  readonly attempts?: number;
  readonly send?: SendPart;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

export const DEFAULT_PARALLEL = 4;
export const DEFAULT_ATTEMPTS = 3;

/** XMLHttpRequest, not fetch: only XHR reports upload progress. */
export const xhrSend: SendPart = (url, body, onBytes, signal) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (event) => onBytes(event.loaded);
    xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error(`part upload answered HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the connection dropped while sending a part'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });

/**
 * Sends the parts an upload plan still needs, `parallel` at a time, each retried up to
 * `attempts` times. Parts S3 already has (plan.parts_done, after a resume) count as sent.
 */
export async function uploadParts(file: Blob, plan: UploadPlan, options: UploadOptions = {}): Promise<void> {
  const send = options.send ?? xhrSend;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const signal = options.signal ?? new AbortController().signal;
  const sentByPart = new Map<number, number>();
  for (const done of plan.parts_done) {
    sentByPart.set(done.part_number, done.size);
  }
  let partsDone = plan.parts_done.length;
  const report = (): void => {
    let sent = 0;
    sentByPart.forEach((bytes) => (sent += bytes));
    options.onProgress?.({ sentBytes: sent, totalBytes: plan.size, partsDone, partCount: plan.part_count });
  };
  report();
  const queue = [...plan.parts];
  const worker = async (): Promise<void> => {
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      await sendWithRetries(file, plan, part, send, attempts, signal, (bytes) => {
        sentByPart.set(part.part_number, bytes);
        report();
      });
      sentByPart.set(part.part_number, part.size);
      partsDone += 1;
      report();
    }
  };
  const workers = Array.from({ length: Math.min(options.parallel ?? DEFAULT_PARALLEL, queue.length) }, worker);
  await Promise.all(workers);
}

async function sendWithRetries(
  file: Blob,
  plan: UploadPlan,
  part: PartUrl,
  send: SendPart,
  attempts: number,
  signal: AbortSignal,
  onBytes: (sent: number) => void,
): Promise<void> {
  const start = (part.part_number - 1) * plan.part_size;
  const body = file.slice(start, start + part.size);
  let lastFailure: unknown = null;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (signal.aborted) {
      throw new Error('upload cancelled');
    }
    try {
      await send(part.url, body, onBytes, signal);
      return;
    } catch (failure) {
      lastFailure = failure;
      onBytes(0);
    }
  }
  throw new Error(`part ${part.part_number} failed ${attempts} times: ${String(lastFailure)}`);
}
