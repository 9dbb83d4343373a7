import type { ValidationIssue } from '../../errors.js';
import { CATEGORY_KEYS, CHOICE_KINDS, type MetadataConfig, type MetadataField, type StufConfig } from './documents.js';

/*
 * Rules of the config documents that a schema cannot express. They run on admin input before anything is written and
 * on every file read from the bucket (a hand-edited file that breaks them is refused like a corrupt one).
 * Paths are relative to the document; callers prefix them (`["config", …]` for mutation input).
 */

type Path = ValidationIssue['path'];

/** Cross-field rules of `metadata_config.json`: unique keys and option values, conditions that can hold, … */
export function validateMetadataConfig(config: Pick<MetadataConfig, 'fields' | 'legalDeclaration'>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: Path, message: string) => issues.push({ path, message });

  const byKey = new Map<string, { field: MetadataField; index: number }>();
  config.fields.forEach((field, index) => {
    const first = byKey.get(field.key);
    if (first) add(['fields', index, 'key'], `Duplicate field key "${field.key}" (also fields.${first.index})`);
    else byKey.set(field.key, { field, index });
  });
  for (const key of CATEGORY_KEYS) {
    if (!byKey.has(key)) add(['fields'], `The STUF category "${key}" is missing: disable it instead of removing it`);
  }

  config.fields.forEach((field, index) => {
    const at = (...rest: Path): Path => ['fields', index, ...rest];
    const isChoice = CHOICE_KINDS.includes(field.kind);
    if (field.label.trim() === '') add(at('label'), 'A label is required');

    if (isChoice) {
      if (field.options.length === 0) add(at('options'), 'A choice field needs at least one option');
      const seen = new Map<string, number>();
      field.options.forEach((option, optionIndex) => {
        const first = seen.get(option.value);
        if (first !== undefined) add(at('options', optionIndex, 'value'), `Duplicate option value "${option.value}" (also options.${first})`);
        else seen.set(option.value, optionIndex);
        if (option.label.trim() === '') add(at('options', optionIndex, 'label'), 'A label is required');
      });
      if (field.kind === 'SINGLE_CHOICE' && field.options.filter((option) => option.default).length > 1) {
        add(at('options'), 'A single-choice field has at most one default option');
      }
    } else if (field.options.length > 0) {
      add(at('options'), `Only choice fields have options (this one is ${field.kind})`);
    }

    if (field.other && !isChoice) add(at('other'), '"Other (specify)" is only for choice fields');
    if (field.other && field.other.label.trim() === '') add(at('other', 'label'), 'A label is required');
    if (field.dontKnow && field.dontKnow.label.trim() === '') add(at('dontKnow', 'label'), 'A label is required');

    if (field.text) {
      const { minLength, maxLength, pattern } = field.text;
      if (field.kind !== 'FREE_TEXT') add(at('text'), 'Text rules are only for free-text fields');
      if (minLength !== null && maxLength !== null && minLength > maxLength) add(at('text', 'minLength'), `minLength (${minLength}) is larger than maxLength (${maxLength})`);
      if (pattern !== null) {
        try {
          new RegExp(pattern, 'u');
        } catch (error) {
          add(at('text', 'pattern'), `Not a valid regular expression: ${(error as Error).message}`);
        }
      }
    }

    if (field.required && field.requiredWhen.length > 0) add(at('requiredWhen'), 'A field that is always required needs no conditions');
    field.requiredWhen.forEach((condition, conditionIndex) => {
      const where = (...rest: Path) => at('requiredWhen', conditionIndex, ...rest);
      const target = byKey.get(condition.field)?.field;
      if (!target) return add(where('field'), `No field "${condition.field}"`);
      if (target === field) return add(where('field'), 'A field cannot depend on itself');
      // A condition on a disabled field could never hold; only a problem while the dependent field is in use.
      if (field.enabled && !target.enabled) add(where('field'), `"${condition.field}" is disabled, so this condition can never hold`);
      if (CHOICE_KINDS.includes(target.kind)) {
        const values = new Set(target.options.map((option) => option.value));
        condition.values.forEach((value, valueIndex) => {
          if (typeof value !== 'string' || !values.has(value)) add(where('values', valueIndex), `"${String(value)}" is not an option of "${condition.field}"`);
        });
      } else if (target.kind === 'YES_NO') {
        condition.values.forEach((value, valueIndex) => {
          if (typeof value !== 'boolean') add(where('values', valueIndex), `"${condition.field}" is a yes/no field: use true or false`);
        });
      } else {
        add(where('field'), `Conditions can only depend on choice and yes/no fields ("${condition.field}" is ${target.kind})`);
      }
    });
  });

  const legal = config.legalDeclaration;
  if (legal.acknowledgementRequired) {
    if (legal.text.trim() === '') add(['legalDeclaration', 'text'], 'Required when acknowledgement is required');
    if (legal.version.trim() === '') add(['legalDeclaration', 'version'], 'Required when acknowledgement is required');
  }
  return issues;
}

/** Rules of `stuf_config.json` beyond its schema: enabled notifications have their secrets. */
export function validateStufConfig(config: Pick<StufConfig, 'notifications'>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { zulip, webhook } = config.notifications;
  if (zulip?.enabled && !zulip.apiKey) issues.push({ path: ['notifications', 'zulip', 'apiKey'], message: "Required: the Zulip bot's API key" });
  if (webhook?.enabled && !webhook.secret) issues.push({ path: ['notifications', 'webhook', 'secret'], message: 'Required: the secret that signs webhook requests' });
  return issues;
}
