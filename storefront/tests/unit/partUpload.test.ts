import { describe, expect, it } from 'vitest';
import type { UploadPlan } from '../../src/admin/adminApi';
import { uploadParts, type Progress, type SendPart } from '../../src/admin/partUpload';

const PART = 4;

function plan(size: number, done: number[] = []): UploadPlan {
  const count = Math.ceil(size / PART);
  const sizeOf = (n: number): number => (n < count ? PART : size - PART * (count - 1));
  const all = Array.from({ length: count }, (_, i) => i + 1);
  return {
    upload_id: 'u1',
    file_name: 'm.glb',
    size,
    part_size: PART,
    part_count: count,
    parts_done: done.map((n) => ({ part_number: n, size: sizeOf(n) })),
    parts: all.filter((n) => !done.includes(n)).map((n) => ({ part_number: n, size: sizeOf(n), url: `https://s3/part/${n}` })),
  };
}

describe('uploadParts', () => {
  it('sends every part once with its own bytes, at most `parallel` at a time', async () => {
    const file = new Blob(['abcdefghij']); // 10 bytes: parts of 4, 4, 2
    const got = new Map<string, string>();
    let running = 0;
    let peak = 0;
    const send: SendPart = async (url, body, onBytes) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      got.set(url, await body.text());
      onBytes(body.size);
      running -= 1;
    };
    await uploadParts(file, plan(10), { send, parallel: 2 });
    expect(Object.fromEntries(got)).toEqual({
      'https://s3/part/1': 'abcd',
      'https://s3/part/2': 'efgh',
      'https://s3/part/3': 'ij',
    });
    expect(peak).toBe(2);
  });

  it('retries a part whose connection dropped, and counts its bytes from zero again', async () => {
    const file = new Blob(['abcdefgh']);
    const tries = new Map<string, number>();
    const seen: Progress[] = [];
    const send: SendPart = async (url, body, onBytes) => {
      const n = (tries.get(url) ?? 0) + 1;
      tries.set(url, n);
      onBytes(body.size / 2);
      if (url.endsWith('/2') && n === 1) {
        throw new Error('dropped');
      }
      onBytes(body.size);
    };
    await uploadParts(file, plan(8), { send, onProgress: (p) => seen.push(p) });
    expect(tries.get('https://s3/part/2')).toBe(2);
    expect(seen.at(-1)).toEqual({ sentBytes: 8, totalBytes: 8, partsDone: 2, partCount: 2 });
  });

  it('gives up on a part after its attempts and says which', async () => {
    const send: SendPart = async () => {
      throw new Error('offline');
    };
    await expect(uploadParts(new Blob(['abcd']), plan(4), { send, attempts: 2 })).rejects.toThrow('part 1 failed 2 times');
  });

  it('on resume sends only the missing parts and starts the bar at what S3 has', async () => {
    const sent: string[] = [];
    const seen: Progress[] = [];
    const send: SendPart = async (url, body, onBytes) => {
      sent.push(url);
      onBytes(body.size);
    };
    await uploadParts(new Blob(['abcdefghij']), plan(10, [1, 3]), { send, onProgress: (p) => seen.push(p) });
    expect(sent).toEqual(['https://s3/part/2']);
    expect(seen[0]).toEqual({ sentBytes: 6, totalBytes: 10, partsDone: 2, partCount: 3 });
    expect(seen.at(-1)).toEqual({ sentBytes: 10, totalBytes: 10, partsDone: 3, partCount: 3 });
  });
});
