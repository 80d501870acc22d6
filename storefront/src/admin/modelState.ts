import type { AdminProduct } from './adminApi';

export type AssetStatus = AdminProduct['asset']['status'];

/** What the admin page says of a product's 3D model (its asset state from the API). */
export const ASSET_WORDS: Record<AssetStatus, string> = {
  NONE: 'No model yet',
  PENDING: 'Model received: LODs are being made',
  READY: 'Model ready',
  REJECTED: 'Model rejected',
};

/** The upload button: resume only an upload S3 still holds parts of; after a rejection, a new file. */
export function uploadButtonLabel(asset: AssetStatus, unfinishedUpload: boolean): string {
  if (unfinishedUpload) return 'Resume upload';
  return asset === 'REJECTED' ? 'Upload a corrected model' : 'Upload model';
}

/**
 * The line under the progress bar once an upload is complete, by the asset state it reached:
 * a rejection says what to do next (the reason is beside the state) and no longer "being prepared".
 */
export function afterUploadWords(asset: AssetStatus): string {
  switch (asset) {
    case 'REJECTED':
      return 'Correct the model as the reason says, then choose the corrected file and upload it.';
    case 'READY':
      return 'Uploaded and ready.';
    default:
      return 'Uploaded. The 3D model is being prepared…';
  }
}
