import { describe, expect, it } from 'vitest';
import { afterUploadWords, uploadButtonLabel } from '../../src/admin/modelState';

describe('the admin model section after an upload', () => {
  it('says only what to do next once the model is rejected', () => {
    expect(afterUploadWords('REJECTED')).not.toMatch(/being prepared/);
    expect(afterUploadWords('REJECTED')).toMatch(/corrected file/);
    expect(uploadButtonLabel('REJECTED', false)).toBe('Upload a corrected model');
  });

  it('offers to resume only an upload that is not finished', () => {
    expect(uploadButtonLabel('REJECTED', true)).toBe('Resume upload');
    expect(uploadButtonLabel('READY', false)).toBe('Upload model');
    expect(uploadButtonLabel('NONE', false)).toBe('Upload model');
    expect(afterUploadWords('PENDING')).toBe('Uploaded. The 3D model is being prepared…');
  });
});
