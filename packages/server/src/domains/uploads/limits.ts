import type { StufConfig } from '../config/documents.js';

/** The server's own limits (environment), which `stuf_config.json` may only narrow. */
export interface UploadLimits {
  maxFileSize: number;
  maxFiles: number;
  maxMetadataBytes: number;
}

/** Everything an upload is checked against: sizes and counts, and the allowed file types (empty: any). */
export interface UploadRules extends UploadLimits {
  /** Lowercase, without the leading dot (`pdf`, `tar.gz`). */
  allowedExtensions: string[];
  /** Lowercase MIME types or `type/*` patterns. */
  allowedMimeTypes: string[];
}

/** The rules in force: the server's limits, narrowed by the config where it is stricter, plus its type lists. */
export function effectiveRules(server: UploadLimits, config: StufConfig): UploadRules {
  const { uploads } = config;
  return {
    ...server,
    maxFileSize: Math.min(server.maxFileSize, uploads.maxFileSizeBytes ?? Infinity),
    maxFiles: Math.min(server.maxFiles, uploads.maxFilesPerUpload ?? Infinity),
    allowedExtensions: uploads.allowedExtensions,
    allowedMimeTypes: uploads.allowedMimeTypes,
  };
}

/** Why a file may not be uploaded under `rules` (from its name and declared type, before any byte is read), or undefined. */
export function fileTypeViolation(name: string, contentType: string, rules: Pick<UploadRules, 'allowedExtensions' | 'allowedMimeTypes'>): string | undefined {
  const lowerName = name.toLowerCase();
  if (rules.allowedExtensions.length > 0 && !rules.allowedExtensions.some((extension) => lowerName.endsWith(`.${extension}`))) {
    return `Files named like "${name}" are not accepted; allowed extensions: ${rules.allowedExtensions.map((extension) => `.${extension}`).join(', ')}`;
  }
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  if (rules.allowedMimeTypes.length > 0 && !rules.allowedMimeTypes.some((allowed) => (allowed.endsWith('/*') ? essence.startsWith(allowed.slice(0, -1)) : essence === allowed))) {
    return `Files of type ${essence || '(none)'} are not accepted; allowed types: ${rules.allowedMimeTypes.join(', ')}`;
  }
  return undefined;
}
