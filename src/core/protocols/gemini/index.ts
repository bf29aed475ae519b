export { GeminiCodec, geminiCodec, GeminiStreamRequest } from './codec';
export type { GeminiModel } from './encode-models';
export type { StreamFraming } from './stream-framing';
export type { GenerateContentResponse, GoogleErrorBody } from './wire';
