/** The OpenAI protocols: Chat Completions, Responses, legacy Completions, the model list and error shape. */
export { ChatCompletionsCodec, type ChatCompletionsCodecOptions } from './chat/codec';
export { CompletionsCodec } from './completions/codec';
export { encodeModel, encodeModelList, type OpenAIModel } from './models';
export { ResponsesCodec, type ResponsesCodecOptions } from './responses/codec';
export { ResponsesStore, type ResponsesStoreOptions } from './responses/store';
export { encodeOpenAIError, openAIErrorObject, type OpenAIErrorObject } from './shared/errors';
