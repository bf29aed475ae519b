import { GeminiCodec } from '../../../src/core/protocols/gemini';
import { assertInvalid, routeContext } from './helpers';

const codec = new GeminiCodec();
const hi = [{ role: 'user', parts: [{ text: 'hi' }] }];

/** [what is wrong, body, the field the 400 must name, what its message must say] */
const cases: Array<[string, unknown, string | undefined, RegExp]> = [
  ['a body that is not an object', ['contents'], undefined, /Invalid JSON payload received/],
  ['missing contents', {}, 'contents', /contents is not specified/],
  ['empty contents', { contents: [] }, 'contents', /contents is not specified/],
  ['contents made only of empty text', { contents: [{ parts: [{ text: '' }] }] }, 'contents', /contents is not specified/],
  ['contents that is not a list', { contents: { parts: [] } }, 'contents', /Invalid value at 'contents' \(TYPE_LIST\)/],
  ['a content that is not an object', { contents: ['hi'] }, 'contents[0]', /Invalid value at 'contents\[0\]' \(TYPE_MESSAGE\), "hi"/],
  ['a bad role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'contents[0].role', /Please use a valid role: user, model/],
  ['a role that is not a string', { contents: [{ role: 1, parts: [{ text: 'x' }] }] }, 'contents[0].role', /TYPE_STRING/],
  ['a content without parts', { contents: [{ role: 'user' }] }, 'contents[0].parts', /parts must not be empty/],
  ['a part with no data', { contents: [{ parts: [{ text: 'a' }, { thought: true }] }] }, 'contents[0].parts[1].data', /required oneof field 'data'/],
  [
    'a part with two data fields',
    { contents: [{ parts: [{ text: 'a', inlineData: { mimeType: 'image/png', data: 'x' } }] }] },
    'contents[0].parts[0].inlineData',
    /oneof field 'data' is already set/,
  ],
  [
    'text that is not a string',
    { contents: [{ parts: [{ text: 42 }] }] },
    'contents[0].parts[0].text',
    /Invalid value at 'contents\[0\]\.parts\[0\]\.text' \(TYPE_STRING\), 42/,
  ],
  ['thought that is not a boolean', { contents: [{ parts: [{ text: 'a', thought: 'yes' }] }] }, 'contents[0].parts[0].thought', /TYPE_BOOL/],
  [
    'a thoughtSignature that is not a string',
    { contents: [{ parts: [{ text: 'a', thoughtSignature: 1 }] }] },
    'contents[0].parts[0].thoughtSignature',
    /TYPE_STRING/,
  ],
  ['inlineData without data', { contents: [{ parts: [{ inlineData: { mimeType: 'image/png' } }] }] }, 'contents[0].parts[0].inlineData.data', /TYPE_STRING/],
  ['fileData without fileUri', { contents: [{ parts: [{ fileData: { mimeType: 'image/png' } }] }] }, 'contents[0].parts[0].fileData.fileUri', /TYPE_STRING/],
  [
    'a functionCall without a name',
    { contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] },
    'contents[0].parts[0].functionCall.name',
    /TYPE_STRING/,
  ],
  [
    'functionCall args that are not an object',
    { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: [1] } }] }] },
    'contents[0].parts[0].functionCall.args',
    /TYPE_MESSAGE/,
  ],
  [
    'a functionResponse without a response',
    { contents: [{ parts: [{ functionResponse: { name: 'f' } }] }] },
    'contents[0].parts[0].functionResponse.response',
    /TYPE_MESSAGE/,
  ],
  [
    'a functionResponse with neither name nor known id',
    { contents: [{ parts: [{ functionResponse: { response: {} } }] }] },
    'contents[0].parts[0].functionResponse.name',
    /name is required/,
  ],
  [
    'an executableCode part',
    { contents: [{ role: 'model', parts: [{ executableCode: { language: 'PYTHON', code: '1' } }] }] },
    'contents[0].parts[0].executableCode',
    /not supported/,
  ],
  [
    'a codeExecutionResult part',
    { contents: [{ parts: [{ codeExecutionResult: { outcome: 'OUTCOME_OK' } }] }] },
    'contents[0].parts[0].codeExecutionResult',
    /not supported/,
  ],
  [
    'a non-text system instruction',
    { contents: hi, systemInstruction: { parts: [{ inlineData: { mimeType: 'image/png', data: 'x' } }] } },
    'systemInstruction.parts[0]',
    /only text parts/,
  ],
  ['tools that are not a list', { contents: hi, tools: { functionDeclarations: [] } }, 'tools', /TYPE_LIST/],
  [
    'a declaration without a name',
    { contents: hi, tools: [{ functionDeclarations: [{ description: 'x' }] }] },
    'tools[0].functionDeclarations[0].name',
    /TYPE_STRING/,
  ],
  [
    'a declaration with both schema fields',
    { contents: hi, tools: [{ functionDeclarations: [{ name: 'f', parameters: {}, parametersJsonSchema: {} }] }] },
    'tools[0].functionDeclarations[0].parametersJsonSchema',
    /mutually exclusive/,
  ],
  [
    'an unknown function calling mode',
    { contents: hi, toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } },
    'toolConfig.functionCallingConfig.mode',
    /TYPE_ENUM/,
  ],
  [
    'allowedFunctionNames that are not strings',
    { contents: hi, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [1] } } },
    'toolConfig.functionCallingConfig.allowedFunctionNames[0]',
    /TYPE_STRING/,
  ],
  ['a temperature that is not a number', { contents: hi, generationConfig: { temperature: 'hot' } }, 'generationConfig.temperature', /TYPE_FLOAT/],
  ['a fractional maxOutputTokens', { contents: hi, generationConfig: { maxOutputTokens: 10.5 } }, 'generationConfig.maxOutputTokens', /TYPE_INT32/],
  ['stop sequences that are not a list', { contents: hi, generationConfig: { stopSequences: 'END' } }, 'generationConfig.stopSequences', /TYPE_LIST/],
  [
    'both response schema fields',
    { contents: hi, generationConfig: { responseMimeType: 'application/json', responseSchema: {}, responseJsonSchema: {} } },
    'generationConfig.responseJsonSchema',
    /mutually exclusive/,
  ],
  [
    'both thinking budget and level',
    { contents: hi, generationConfig: { thinkingConfig: { thinkingBudget: 10, thinkingLevel: 'LOW' } } },
    'generationConfig.thinkingConfig.thinkingLevel',
    /mutually exclusive/,
  ],
  [
    'a negative thinking budget other than -1',
    { contents: hi, generationConfig: { thinkingConfig: { thinkingBudget: -5 } } },
    'generationConfig.thinkingConfig.thinkingBudget',
    /must be -1/,
  ],
  [
    'an unknown thinking level',
    { contents: hi, generationConfig: { thinkingConfig: { thinkingLevel: 'EXTREME' } } },
    'generationConfig.thinkingConfig.thinkingLevel',
    /TYPE_ENUM/,
  ],
  [
    'includeThoughts that is not a boolean',
    { contents: hi, generationConfig: { thinkingConfig: { includeThoughts: 'yes' } } },
    'generationConfig.thinkingConfig.includeThoughts',
    /TYPE_BOOL/,
  ],
];

describe('gemini decode: validation errors name the field, in Google words', () => {
  for (const [what, body, param, message] of cases) {
    it(`400 for ${what}`, () => {
      assertInvalid(() => codec.decodeRequest(body, routeContext('gemini-3-flash')), param, message);
    });
  }

  it('400 for a path without a model', () => {
    assertInvalid(() => codec.decodeRequest({ contents: hi }, routeContext('models/')), 'model', /model name is required/);
  });

  it('400 for a stream format other than sse or json', () => {
    assertInvalid(() => codec.decodeRequest({ contents: hi }, routeContext('m', { stream: true, alt: 'proto' })), 'alt', /alt=proto/);
  });
});
