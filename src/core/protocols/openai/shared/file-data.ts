import { invalidRequest } from '../../../errors';
import type { MediaPart } from '../../../ir';
import { mediaPartFromUrl } from '../../../media/data-url';
import { at, isAbsent, type JsonObject, optionalString, requireNonEmptyString, unsupported } from './read';

/**
 * An inline file (Chat `file` part, Responses `input_file`):
 * `{file_data: "data:application/pdf;base64,…", filename}`. Files uploaded to
 * OpenAI (`file_id`) or fetched by URL (`file_url`) are not reachable here.
 */
export function inlineFilePart(file: JsonObject, param: string): MediaPart {
  if (!isAbsent(file.file_id)) unsupported(at(param, 'file_id'), 'Referencing uploaded files by file_id');
  if (!isAbsent(file.file_url)) unsupported(at(param, 'file_url'), 'Fetching files by URL');
  const dataParam = at(param, 'file_data');
  const data = requireNonEmptyString(file.file_data, dataParam);
  if (/^data:/i.test(data)) return mediaPartFromUrl(data, dataParam, 'any');
  // Bare base64 is only meaningful when the file name says what it is.
  const filename = optionalString(file.filename, at(param, 'filename')) ?? '';
  if (!/\.pdf$/i.test(filename)) {
    throw invalidRequest(`Invalid '${dataParam}': send the file as a data: URL that names its media type.`, dataParam);
  }
  return mediaPartFromUrl(`data:application/pdf;base64,${data}`, dataParam, 'any');
}
