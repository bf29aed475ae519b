import type { MediaPart } from '../../../ir';

/**
 * OpenAI answers have no slot for generated images outside the Responses
 * image tool, so image-model output reaches these clients as Markdown with a
 * data URL, which chat front-ends render.
 */
export const markdownImage = (mimeType: string, data: string): string => `![image](data:${mimeType};base64,${data})`;

export const markdownOfMedia = (part: MediaPart): string =>
  part.source.kind === 'base64' ? markdownImage(part.mimeType, part.source.data) : `![image](${part.source.url})`;
