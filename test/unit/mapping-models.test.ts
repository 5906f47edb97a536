import { describe, expect, it } from 'vitest';
import { modelNames } from '../../src/main/services/proxy/mapping-test';

describe('the model list Test shows', () => {
  it('reads OpenAI/Anthropic `data[].id` and Ollama `models[].name`', () => {
    expect(modelNames({ data: [{ id: 'gpt-x' }, { id: 'gpt-y' }] })).toEqual(['gpt-x', 'gpt-y']);
    expect(modelNames({ models: [{ name: 'llama3:8b' }] })).toEqual(['llama3:8b']);
  });
  it('ignores anything else, and caps a long list', () => {
    expect(modelNames({ data: 'nope' })).toEqual([]);
    expect(modelNames(null)).toEqual([]);
    expect(modelNames({ data: [{ id: 5 }, {}, { id: 'ok' }] })).toEqual(['ok']);
    const many = { data: Array.from({ length: 500 }, (_, i) => ({ id: `m${i}` })) };
    expect(modelNames(many)).toHaveLength(100);
  });
});
