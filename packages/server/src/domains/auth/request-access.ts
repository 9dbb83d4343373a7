import type { Services } from '../../services.js';
import type { UploadDocument } from '../uploads/documents.js';
import type { AccessEvent } from '../users/documents.js';
import type { ClientInfo, Viewer } from './service.js';

/**
 * Per-request authorization facts and activity recording: memoized for one request only, so a config change or a
 * new upload is seen by the next request. Access events of one request (upload, download links, token use) are
 * collected and written to the viewer's access history in one `update()` when the operation has run (`flush`).
 */
export class RequestAccess {
  private seesAll?: Promise<boolean>;
  private readonly events: Omit<AccessEvent, 'time'>[] = [];
  private readonly downloadsRecorded = new Set<string>();

  constructor(
    readonly viewer: Viewer | undefined,
    private readonly client: ClientInfo,
    private readonly services: Services,
  ) {}

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

  /** Notes a `download` access event (one per upload per request) when a download link is issued to the viewer. */
  recordDownload(uploadId: string): void {
    if (this.downloadsRecorded.has(uploadId)) return;
    this.downloadsRecorded.add(uploadId);
    this.record({ event: 'download', uploadId });
  }

  /** Notes an `upload` access event. */
  recordUpload(uploadId: string): void {
    this.record({ event: 'upload', uploadId });
  }

  /**
   * Writes the request's access events (and a `token-use` event with the token's `lastUsedAt`, at most once a minute
   * per token and replica) in one access-history append. Never throws: activity recording must not fail a request.
   */
  async flush(): Promise<void> {
    const viewer = this.viewer;
    if (!viewer) return;
    const tokenId = viewer.via === 'api-token' ? viewer.tokenId : undefined;
    const tokenUsed = tokenId !== undefined && this.services.apiTokens.claimUseRecord(tokenId);
    if (tokenUsed) this.record({ event: 'token-use', tokenId });
    const events = this.events.splice(0);
    if (events.length === 0) return;
    await this.services.users.recordAccess(viewer.userId, events, tokenUsed ? (activity, time) => ({ ...activity, apiTokensLastUsedAt: { ...activity.apiTokensLastUsedAt, [tokenId]: time } }) : undefined);
  }

  private record(event: Pick<AccessEvent, 'event'> & Partial<Pick<AccessEvent, 'uploadId' | 'tokenId'>>): void {
    if (!this.viewer) return;
    this.events.push({ ...event, ip: this.client.ip, userAgent: this.client.userAgent });
  }
}
