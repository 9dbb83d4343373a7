import { describe, expect, it } from 'vitest';
import { defaultMetadataConfig, metadataConfigSchema, type MetadataConfig } from './documents.js';
import { validateMetadataConfig, validateStufConfig } from './validate-config.js';

/** The default config after `edit`, parsed like a stored document (defaults filled in). */
function configWith(edit: (config: MetadataConfig) => void): MetadataConfig {
  const config = defaultMetadataConfig();
  edit(config);
  return metadataConfigSchema.parse(config);
}

const paths = (config: MetadataConfig) => validateMetadataConfig(config).map((issue) => issue.path);

describe('metadata config rules', () => {
  it('accepts the first-start defaults', () => {
    expect(validateMetadataConfig(defaultMetadataConfig())).toEqual([]);
  });

  it('refuses two fields with one key', () => {
    expect(paths(configWith((c) => c.fields.push({ ...c.fields[1]! })))).toEqual([['fields', 5, 'key']]);
  });

  it('refuses two options with one value', () => {
    expect(paths(configWith((c) => c.fields[0]!.options.push({ ...c.fields[0]!.options[0]! })))).toEqual([['fields', 0, 'options', 5, 'value']]);
  });

  it('refuses a choice field without options', () => {
    expect(paths(configWith((c) => (c.fields[0]!.options = [])))).toEqual([['fields', 0, 'options']]);
  });

  it('refuses options on a free-text field', () => {
    expect(paths(configWith((c) => (c.fields[1]!.options = [{ value: 'a', label: 'A', description: '', default: false, displayOrder: null }])))).toEqual([['fields', 1, 'options']]);
  });

  it('refuses two default options in a single choice', () => {
    expect(paths(configWith((c) => c.fields[0]!.options.slice(0, 2).forEach((option) => (option.default = true))))).toEqual([['fields', 0, 'options']]);
  });

  it('refuses "Other" on a field that has no options', () => {
    expect(paths(configWith((c) => (c.fields[1]!.other = { label: 'Other', explanationRequired: false })))).toEqual([['fields', 1, 'other']]);
  });

  it('refuses text rules on a choice field, min above max, and a pattern that does not compile', () => {
    const config = configWith((c) => {
      c.fields[0]!.text = { minLength: null, maxLength: null, pattern: null, patternDescription: null };
      c.fields[1]!.text = { minLength: 10, maxLength: 5, pattern: '(', patternDescription: null };
    });
    expect(paths(config)).toEqual([['fields', 0, 'text'], ['fields', 1, 'text', 'minLength'], ['fields', 1, 'text', 'pattern']]);
  });

  it('refuses conditions on a missing field, on the field itself, on an option that does not exist, and on free text', () => {
    const config = configWith((c) => {
      c.fields[4]!.requiredWhen = [
        { field: 'nowhere', values: ['x'] },
        { field: 'comments', values: ['x'] },
        { field: 'license', values: ['cc-by-4.0', 'gpl'] },
        { field: 'collection', values: ['x'] },
      ];
    });
    expect(paths(config)).toEqual([
      ['fields', 4, 'requiredWhen', 0, 'field'],
      ['fields', 4, 'requiredWhen', 1, 'field'],
      ['fields', 4, 'requiredWhen', 2, 'values', 1],
      ['fields', 4, 'requiredWhen', 3, 'field'],
    ]);
  });

  it('refuses a condition on a yes/no field that is not true or false', () => {
    const config = configWith((c) => {
      c.fields.push({ ...c.fields[1]!, key: 'personal', kind: 'YES_NO', text: null });
      c.fields[4]!.requiredWhen = [{ field: 'personal', values: ['yes'] }];
    });
    expect(paths(config)).toEqual([['fields', 4, 'requiredWhen', 0, 'values', 0]]);
  });

  it('refuses a condition of an enabled field on a disabled one, but not of a disabled field', () => {
    const enabled = configWith((c) => {
      c.fields[0]!.enabled = false;
      c.fields[4]!.requiredWhen = [{ field: 'fileType', values: ['image'] }];
    });
    expect(paths(enabled)).toEqual([['fields', 4, 'requiredWhen', 0, 'field']]);
    const disabled = configWith((c) => {
      c.fields[0]!.enabled = false;
      c.fields[4]!.enabled = false;
      c.fields[4]!.requiredWhen = [{ field: 'fileType', values: ['image'] }];
    });
    expect(paths(disabled)).toEqual([]);
  });

  it('refuses conditions on a field that is always required', () => {
    const config = configWith((c) => {
      c.fields[4]!.required = true;
      c.fields[4]!.requiredWhen = [{ field: 'fileType', values: ['image'] }];
    });
    expect(paths(config)).toEqual([['fields', 4, 'requiredWhen']]);
  });

  it('refuses a removed STUF category', () => {
    expect(paths(configWith((c) => c.fields.splice(3, 1)))).toEqual([['fields']]);
  });

  it('refuses a legal declaration that must be acknowledged but has no text or version', () => {
    const config = configWith((c) => (c.legalDeclaration = { text: ' ', version: '', acknowledgementRequired: true }));
    expect(paths(config)).toEqual([['legalDeclaration', 'text'], ['legalDeclaration', 'version']]);
  });
});

describe('facility settings rules', () => {
  it('refuses enabled notifications without their secrets', () => {
    const issues = validateStufConfig({
      notifications: {
        zulip: { enabled: true, siteUrl: 'https://chat.example.org', botEmail: 'bot@example.org', stream: 's', topic: 't', apiKey: null },
        webhook: { enabled: true, url: 'https://hooks.example.org', secret: null },
      },
    });
    expect(issues.map((issue) => issue.path)).toEqual([['notifications', 'zulip', 'apiKey'], ['notifications', 'webhook', 'secret']]);
  });
});
