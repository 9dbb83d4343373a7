import type { StufConfig } from '../config/documents.js';
import type { UploadDocument } from '../uploads/documents.js';
import type { OutgoingRequest } from './delivery.js';

type ZulipSettings = Pick<NonNullable<StufConfig['notifications']['zulip']>, 'siteUrl' | 'botEmail' | 'stream' | 'topic'>;

/**
 * A stream message through Zulip's REST API: `POST <site>/api/v1/messages`, form-encoded, HTTP basic auth with the
 * bot's email and API key (https://zulip.com/api/send-message).
 */
export function zulipRequest(settings: ZulipSettings, apiKey: string, content: string): OutgoingRequest {
  return {
    url: `${settings.siteUrl.replace(/\/+$/, '')}/api/v1/messages`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${settings.botEmail}:${apiKey}`, 'utf8').toString('base64')}`,
      'user-agent': 'STUF',
    },
    body: new URLSearchParams({ type: 'stream', to: settings.stream, topic: settings.topic, content }).toString(),
  };
}

/** The message text (Zulip markdown). Names come from uploaders, so they are shown as code: no mentions, no links. */
export function zulipUploadMessage(upload: UploadDocument, projectName: string): string {
  const total = upload.files.reduce((sum, file) => sum + file.size, 0);
  const lines = [
    `**New upload** in ${code(projectName)}: ${code(upload.id)}`,
    `By ${upload.uploader.kind} ${code(upload.uploader.id)} at ${upload.createdAt}; ${upload.files.length} file${upload.files.length === 1 ? '' : 's'}, ${formatBytes(total)}:`,
    ...upload.files.slice(0, 20).map((file) => `- ${code(file.name)} (${formatBytes(file.size)})`),
  ];
  if (upload.files.length > 20) lines.push(`- … and ${upload.files.length - 20} more`);
  return lines.join('\n');
}

function code(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, ' ')}\``;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
