import DataLoader from 'dataloader';
import type { Services } from '../../services.js';
import type { UploadDocument } from '../uploads/documents.js';
import type { ClientInfo, Viewer } from './service.js';

/**
 * Per-request authorization facts and activity recording: memoized for one request only, so a config change or a
 * new upload is seen by the next request.
 */
export class RequestAccess {
  private seesAll?: Promise<boolean>;
  private readonly downloads: DataLoader<string, true>;

  constructor(
    readonly viewer: Viewer | undefined,
    private readonly client: ClientInfo,
    private readonly services: Services,
  ) {
    // Every download link issued in one request becomes one access-history write, not one per link.
    this.downloads = new DataLoader(async (uploadIds) => {
      if (this.viewer) {
        await this.services.users.recordAccess(
          this.viewer.userId,
          uploadIds.map((uploadId) => ({ event: 'download' as const, uploadId, ip: this.client.ip, userAgent: this.client.userAgent })),
        );
      }
      return uploadIds.map(() => true as const);
    });
  }

  get isAdmin(): boolean {
    return this.viewer?.role === 'admin';
  }

  /** Admins see every upload; participants too when `stuf_config.json` sets `uploads.visibleToAllParticipants`. */
  seesAllUploads(): Promise<boolean> {
    if (!this.viewer) return Promise.resolve(false);
    if (this.isAdmin) return Promise.resolve(true);
    this.seesAll ??= this.services.config.stufConfig().then((config) => config.uploads.visibleToAllParticipants);
    return this.seesAll;
  }

  /** Whether the viewer may read uploads made by `uploaderId`: their own, or all of them (see `seesAllUploads`). */
  async readsUploadsOf(uploaderId: string): Promise<boolean> {
    if (!this.viewer) return false;
    return this.viewer.userId === uploaderId || (await this.seesAllUploads());
  }

  /** Filters uploads down to the ones the viewer may read. */
  async visible(uploads: (UploadDocument | null)[]): Promise<(UploadDocument | null)[]> {
    if (await this.seesAllUploads()) return uploads;
    return uploads.map((upload) => (upload && upload.uploader.id === this.viewer?.userId ? upload : null));
  }

  /** The uploader id participants are restricted to when listing, or undefined when they see all. */
  async listRestriction(): Promise<string | undefined> {
    return (await this.seesAllUploads()) ? undefined : (this.viewer?.userId ?? '');
  }

  /** Appends a `download` access event (batched per request) when a download link is issued to the viewer. */
  recordDownload(uploadId: string): Promise<unknown> {
    return this.downloads.load(uploadId);
  }

  /** Appends an `upload` access event. */
  recordUpload(uploadId: string): Promise<void> {
    if (!this.viewer) return Promise.resolve();
    return this.services.users.recordAccess(this.viewer.userId, [{ event: 'upload', uploadId, ip: this.client.ip, userAgent: this.client.userAgent }]);
  }
}
