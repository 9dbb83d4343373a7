import { describe, expect, it } from 'vitest';
import { metadataConfigSchema } from '../config/documents.js';
import { validateAcknowledgement, validateMetadata } from './validate-metadata.js';

const config = metadataConfigSchema.parse({
  schemaVersion: 1,
  revision: 1,
  fields: [
    { key: 'kind', label: 'Kind', kind: 'SINGLE_CHOICE', enabled: true, required: false, options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], other: { label: 'Other', explanationRequired: true } },
    { key: 'tags', label: 'Tags', kind: 'MULTIPLE_CHOICE', enabled: true, required: false, options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }], other: { label: 'Other', explanationRequired: false }, dontKnow: { label: '?', explanationRequired: false } },
    { key: 'note', label: 'Note', kind: 'FREE_TEXT', enabled: true, required: false, text: { minLength: 2, maxLength: 4 } },
    { key: 'code', label: 'Code', kind: 'FREE_TEXT', enabled: true, required: false, text: { pattern: '[a-z]+', patternDescription: 'lowercase letters' } },
    { key: 'when', label: 'When', kind: 'DATE', enabled: true, required: false },
    { key: 'ok', label: 'OK', kind: 'YES_NO', enabled: true, required: false, dontKnow: { label: '?', explanationRequired: true } },
    { key: 'why', label: 'Why', kind: 'FREE_TEXT', enabled: true, required: false, requiredWhen: [{ field: 'tags', values: ['y'] }, { field: 'ok', values: [false] }] },
  ],
  legalDeclaration: { text: 'T', version: 'v1', acknowledgementRequired: true },
});

const paths = (metadata: Record<string, unknown>) => validateMetadata(metadata, config).map((issue) => issue.path);

describe('metadata answers', () => {
  it('accepts an answer of every kind', () => {
    expect(paths({ kind: 'a', tags: ['x', 'y'], note: 'ab', code: 'abc', when: '2024-02-29', ok: true, why: 'because' })).toEqual([]);
  });

  it('treats null, blank text and an empty list as unanswered', () => {
    expect(paths({ kind: null, note: '   ', tags: [] })).toEqual([]);
  });

  it('counts text length in characters, not bytes', () => {
    expect(paths({ note: 'éèü' })).toEqual([]);
    expect(paths({ note: '😀😀😀😀😀' })).toEqual([['metadata', 'note']]);
  });

  it('matches a pattern against the whole answer', () => {
    expect(paths({ code: 'abc1' })).toEqual([['metadata', 'code']]);
    expect(validateMetadata({ code: 'A' }, config)[0]!.message).toBe('Expected lowercase letters');
  });

  it('refuses the wrong JSON type for each kind', () => {
    expect(paths({ kind: ['a'], tags: 'x', note: 3, when: 20240101, ok: 'yes' })).toEqual([
      ['metadata', 'kind'],
      ['metadata', 'tags'],
      ['metadata', 'note'],
      ['metadata', 'when'],
      ['metadata', 'ok'],
    ]);
  });

  it('refuses a listed option twice and an unknown option inside a list, by index', () => {
    expect(paths({ tags: ['x', 'x', 'z'] })).toEqual([['metadata', 'tags', 1], ['metadata', 'tags', 2]]);
  });

  it('accepts "Other" next to options in a multiple choice, but not "Don\'t know" next to anything', () => {
    expect(paths({ tags: ['x', { special: 'OTHER' }] })).toEqual([]);
    expect(paths({ tags: ['x', { special: 'DONT_KNOW' }] })).toEqual([['metadata', 'tags']]);
  });

  it('refuses a special answer the field does not offer, an unknown one, and unknown keys in one', () => {
    expect(paths({ kind: { special: 'DONT_KNOW' }, note: { special: 'MAYBE' }, tags: [{ special: 'OTHER', explain: 'typo' }] })).toEqual([
      ['metadata', 'kind', 'special'],
      ['metadata', 'tags', 0, 'explain'],
      ['metadata', 'note', 'special'],
    ]);
  });

  it('requires the explanation only where the rule says so', () => {
    expect(paths({ tags: [{ special: 'OTHER' }], ok: { special: 'DONT_KNOW', explanation: '' } })).toEqual([['metadata', 'ok', 'explanation']]);
  });

  it('requires a field when any of its conditions holds, for multiple choices and yes/no', () => {
    expect(paths({ tags: ['x', 'y'] })).toEqual([['metadata', 'why']]);
    expect(paths({ ok: false })).toEqual([['metadata', 'why']]);
    expect(paths({ ok: true, tags: ['x'] })).toEqual([]);
  });

  it('reads only answers that were given, even for a field named like an Object.prototype member', () => {
    const withConstructor = metadataConfigSchema.parse({ ...config, fields: [...config.fields, { key: 'constructor', label: 'C', kind: 'FREE_TEXT', enabled: true, required: true }] });
    expect(validateMetadata({}, withConstructor).map((issue) => issue.path)).toEqual([['metadata', 'constructor']]);
  });

  it('does not count a special answer as a value that makes a condition hold', () => {
    expect(paths({ ok: { special: 'DONT_KNOW', explanation: 'unsure' } })).toEqual([]);
  });
});

describe('legal declaration acknowledgement', () => {
  const legal = { text: 'T', version: 'v1', acknowledgementRequired: true };

  it('accepts the version in force', () => {
    expect(validateAcknowledgement('v1', legal)).toEqual([]);
  });

  it('requires one when acknowledgement is required, and not otherwise', () => {
    expect(validateAcknowledgement(undefined, legal).map((issue) => issue.path)).toEqual([['legalDeclarationVersion']]);
    expect(validateAcknowledgement(null, { ...legal, acknowledgementRequired: false })).toEqual([]);
  });

  it('refuses another version even when acknowledgement is optional', () => {
    expect(validateAcknowledgement('v0', { ...legal, acknowledgementRequired: false }).map((issue) => issue.path)).toEqual([['legalDeclarationVersion']]);
  });
});
