import type { MediaPart, TextPart } from '../../ir';
import { expectLiteral, expectObject, expectString, invalidField, isObject, listLiterals, optionalString, type JsonObject } from './fields';

/** The image types Anthropic accepts (and the only ones its clients send). */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

export const PDF_MEDIA_TYPE = 'application/pdf';

/**
 * Default cap on one decoded inline image or PDF. The gateway's body limit is
 * 100 MB, so a single attachment may not take all of it; 30 MB is well above
 * what any upstream model accepts per image.
 */
export const DEFAULT_MAX_INLINE_MEDIA_BYTES = 30 * 1024 * 1024;

export interface MediaLimits {
  maxInlineMediaBytes: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeImageBlock(block: JsonObject, path: string, limits: MediaLimits): MediaPart {
  const sourcePath = `${path}.source`;
  const source = expectObject(block.source, sourcePath);
  const kind = expectLiteral(source.type, `${sourcePath}.type`, ['base64', 'url', 'file'] as const);
  if (kind === 'file') throw fileSourceUnsupported(sourcePath);
  if (kind === 'url') {
    const url = expectHttpUrl(source.url, `${sourcePath}.url`);
    return { type: 'media', mimeType: imageTypeOfUrl(url), source: { kind: 'url', url } };
  }
  const mimeType = source.media_type;
  if (typeof mimeType !== 'string' || !(IMAGE_MEDIA_TYPES as readonly string[]).includes(mimeType)) {
    throw invalidField(`${sourcePath}.media_type`, `Input should be ${listLiterals(IMAGE_MEDIA_TYPES)}`);
  }
  const data = expectBase64(source.data, `${sourcePath}.data`, 'image', limits);
  return { type: 'media', mimeType, source: { kind: 'base64', data } };
}

/**
 * A `document` block: a PDF (inline or by URL) becomes media; plain text and
 * `content` sources become ordinary parts, since every upstream reads text.
 */
export function decodeDocumentBlock(block: JsonObject, path: string, limits: MediaLimits): Array<TextPart | MediaPart> {
  const sourcePath = `${path}.source`;
  const source = expectObject(block.source, sourcePath);
  const kind = expectLiteral(source.type, `${sourcePath}.type`, ['base64', 'text', 'url', 'content', 'file'] as const);
  const title = optionalString(block.title, `${path}.title`);
  switch (kind) {
    case 'file':
      throw fileSourceUnsupported(sourcePath);
    case 'url':
      return [{ type: 'media', mimeType: PDF_MEDIA_TYPE, source: { kind: 'url', url: expectHttpUrl(source.url, `${sourcePath}.url`) } }];
    case 'base64': {
      expectLiteral(source.media_type, `${sourcePath}.media_type`, [PDF_MEDIA_TYPE] as const);
      const data = expectBase64(source.data, `${sourcePath}.data`, 'document', limits);
      return [{ type: 'media', mimeType: PDF_MEDIA_TYPE, source: { kind: 'base64', data } }];
    }
    case 'text': {
      const text = expectString(source.data, `${sourcePath}.data`);
      return [{ type: 'text', text: title ? `${title}\n\n${text}` : text }];
    }
    case 'content':
      return decodeDocumentContent(source.content, `${sourcePath}.content`, limits);
  }
}

function decodeDocumentContent(content: unknown, path: string, limits: MediaLimits): Array<TextPart | MediaPart> {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalidField(path, 'Input should be a valid string or list');
  return content.flatMap((item, i): Array<TextPart | MediaPart> => {
    const itemPath = `${path}.${i}`;
    if (!isObject(item)) throw invalidField(itemPath, 'Input should be a valid dictionary');
    const type = expectLiteral(item.type, `${itemPath}.type`, ['text', 'image'] as const);
    if (type === 'image') return [decodeImageBlock(item, itemPath, limits)];
    const text = expectString(item.text, `${itemPath}.text`);
    return text ? [{ type: 'text', text }] : [];
  });
}

function expectBase64(value: unknown, path: string, what: string, limits: MediaLimits): string {
  const data = expectString(value, path);
  if (data.length === 0) throw invalidField(path, `${what} data must not be empty`);
  // Checked before the character scan so an oversized upload fails fast.
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const decodedBytes = Math.floor((data.length * 3) / 4) - padding;
  if (decodedBytes > limits.maxInlineMediaBytes) {
    throw invalidField(path, `${what} exceeds the gateway's limit of ${formatBytes(limits.maxInlineMediaBytes)} (${formatBytes(decodedBytes)} decoded)`);
  }
  if (data.length % 4 !== 0 || !BASE64.test(data)) {
    throw invalidField(path, `${what} data is not valid base64 (send the bare base64 string, without a data: URL prefix)`);
  }
  return data;
}

function expectHttpUrl(value: unknown, path: string): string {
  const url = expectString(value, path);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidField(path, 'Input should be a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalidField(path, 'URL scheme should be http or https');
  return url;
}

const IMAGE_TYPE_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * Best guess from the URL's extension; the media fetcher replaces it with the
 * response's Content-Type, so an unknown extension stays honestly unknown.
 */
function imageTypeOfUrl(url: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return (extension && IMAGE_TYPE_BY_EXTENSION[extension]) ?? 'application/octet-stream';
}

function fileSourceUnsupported(path: string) {
  return invalidField(`${path}.type`, 'file sources (Files API ids) are not supported by this gateway; send the data inline as base64');
}

function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${mb.toFixed(1).replace(/\.0$/, '')} MB` : `${bytes} bytes`;
}
