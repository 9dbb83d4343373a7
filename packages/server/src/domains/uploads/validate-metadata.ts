import type { ValidationIssue } from '../../errors.js';
import { CHOICE_KINDS, type FieldCondition, type MetadataConfig, type MetadataField, type SpecialAnswerRule } from '../config/documents.js';

/*
 * Checks an upload's `metadata` against the metadata config in force and reports every problem at once, each with its
 * path (`["metadata", <field key>, …]`). How answers are written (documented for clients on `uploadRequirements`):
 *   SINGLE_CHOICE   an option value: "cc-by-4.0"
 *   MULTIPLE_CHOICE a list of option values: ["pdf", "csv"]
 *   FREE_TEXT       a string;  DATE "YYYY-MM-DD";  YES_NO true | false
 * and, where the field offers them, instead of (or, in a multiple choice, next to) option values:
 *   { "special": "OTHER", "explanation": "…" }   "Other (specify)"
 *   { "special": "DONT_KNOW", "explanation": "…" } "Don't know"
 * A field is unanswered when absent, null, "" (or only spaces) or []. Unknown and disabled fields are refused.
 */

type Json = unknown;
type Path = ValidationIssue['path'];

const MAX_EXPLANATION = 5_000;
const patterns = new Map<string, RegExp>();

/** Every problem of `metadata` under `config`, in field order; empty when it may be stored. */
export function validateMetadata(metadata: Record<string, Json>, config: MetadataConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const fields = new Map(config.fields.map((field) => [field.key, field]));

  for (const key of Object.keys(metadata)) {
    const field = fields.get(key);
    if (!field) issues.push({ path: ['metadata', key], message: `Unknown field "${key}" (uploadRequirements lists the fields)` });
    else if (!field.enabled) issues.push({ path: ['metadata', key], message: `The field "${key}" is not in use` });
  }

  for (const field of config.fields) {
    if (!field.enabled) continue;
    const path: Path = ['metadata', field.key];
    const value = answerOf(metadata, field.key);
    if (isUnanswered(value)) {
      if (field.required) issues.push({ path, message: `Required: ${field.label}` });
      else {
        const holding = field.requiredWhen.find((condition) => conditionHolds(condition, metadata, fields));
        if (holding) issues.push({ path, message: `Required when ${holding.field} is ${holding.values.map(String).join(' or ')}: ${field.label}` });
      }
      continue;
    }
    issues.push(...checkAnswer(field, value, path));
  }
  return issues;
}

/** The acknowledgement check: the version given must be the declaration in force; required when the config says so. */
export function validateAcknowledgement(version: string | null | undefined, legal: MetadataConfig['legalDeclaration']): ValidationIssue[] {
  const path: Path = ['legalDeclarationVersion'];
  if (version === null || version === undefined || version === '') {
    return legal.acknowledgementRequired ? [{ path, message: `Acknowledge the legal declaration (version ${legal.version})` }] : [];
  }
  if (version !== legal.version) return [{ path, message: `The legal declaration in force is version ${legal.version}, not ${version}: read it again` }];
  return [];
}

/** Own keys only: a field named like an Object.prototype member (`constructor`) must not read the prototype's. */
function answerOf(metadata: Record<string, Json>, key: string): Json {
  return Object.hasOwn(metadata, key) ? metadata[key] : undefined;
}

function isUnanswered(value: Json): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function isSpecial(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'special' in value;
}

/** Whether a condition on another field holds for this metadata (a disabled or missing field never satisfies one). */
function conditionHolds(condition: FieldCondition, metadata: Record<string, Json>, fields: Map<string, MetadataField>): boolean {
  const target = fields.get(condition.field);
  if (!target?.enabled) return false;
  const value = answerOf(metadata, condition.field);
  const answers = Array.isArray(value) ? value : [value];
  return answers.some((answer) => (typeof answer === 'string' || typeof answer === 'boolean') && condition.values.includes(answer));
}

function checkAnswer(field: MetadataField, value: Json, path: Path): ValidationIssue[] {
  if (isSpecial(value)) return checkSpecial(field, value, path);
  switch (field.kind) {
    case 'SINGLE_CHOICE':
      if (typeof value !== 'string') return [{ path, message: `Expected one option value (a string)${offers(field)}` }];
      return checkOption(field, value, path);
    case 'MULTIPLE_CHOICE':
      return checkMultiple(field, value, path);
    case 'FREE_TEXT':
      if (typeof value !== 'string') return [{ path, message: 'Expected text (a string)' }];
      return checkText(field, value, path);
    case 'DATE':
      return typeof value === 'string' && isCalendarDate(value) ? [] : [{ path, message: 'Expected a date as YYYY-MM-DD' }];
    case 'YES_NO':
      return typeof value === 'boolean' ? [] : [{ path, message: 'Expected true (yes) or false (no)' }];
  }
}

function checkOption(field: MetadataField, value: string, path: Path): ValidationIssue[] {
  if (field.options.some((option) => option.value === value)) return [];
  return [{ path, message: `"${value}" is not an option of ${field.key} (options: ${field.options.map((option) => option.value).join(', ')})` }];
}

function checkMultiple(field: MetadataField, value: Json, path: Path): ValidationIssue[] {
  if (!Array.isArray(value)) return [{ path, message: `Expected a list of option values${offers(field)}` }];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  value.forEach((item, index) => {
    const at: Path = [...path, index];
    const id = isSpecial(item) ? `special:${String(item.special)}` : typeof item === 'string' ? `option:${item}` : undefined;
    if (id !== undefined && seen.has(id)) issues.push({ path: at, message: 'Listed twice' });
    if (id !== undefined) seen.add(id);
    if (isSpecial(item)) issues.push(...checkSpecial(field, item, at));
    else if (typeof item === 'string') issues.push(...checkOption(field, item, at));
    else issues.push({ path: at, message: 'Expected an option value (a string)' });
  });
  if (seen.has('special:DONT_KNOW') && seen.size > 1) issues.push({ path, message: '"Don\'t know" cannot be combined with other answers' });
  return issues;
}

function checkText(field: MetadataField, value: string, path: Path): ValidationIssue[] {
  if (!field.text) return [];
  const { minLength, maxLength, pattern, patternDescription } = field.text;
  const length = [...value].length;
  const issues: ValidationIssue[] = [];
  if (minLength !== null && length < minLength) issues.push({ path, message: `At least ${minLength} characters (got ${length})` });
  if (maxLength !== null && length > maxLength) issues.push({ path, message: `At most ${maxLength} characters (got ${length})` });
  if (pattern !== null && !compiled(pattern).test(value)) issues.push({ path, message: patternDescription ? `Expected ${patternDescription}` : `Does not match the pattern ${pattern}` });
  return issues;
}

function checkSpecial(field: MetadataField, value: Record<string, Json>, path: Path): ValidationIssue[] {
  const rule: SpecialAnswerRule | null = value.special === 'OTHER' ? field.other : value.special === 'DONT_KNOW' ? field.dontKnow : null;
  if (value.special !== 'OTHER' && value.special !== 'DONT_KNOW') return [{ path: [...path, 'special'], message: 'Expected "OTHER" or "DONT_KNOW"' }];
  if (!rule) return [{ path: [...path, 'special'], message: `${field.key} does not offer "${value.special === 'OTHER' ? 'Other' : "Don't know"}"` }];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'special' && key !== 'explanation') issues.push({ path: [...path, key], message: 'Unknown key (use "special" and "explanation")' });
  }
  const explanation = value.explanation;
  if (explanation !== undefined && explanation !== null && typeof explanation !== 'string') issues.push({ path: [...path, 'explanation'], message: 'Expected text (a string)' });
  else if (typeof explanation === 'string' && [...explanation].length > MAX_EXPLANATION) issues.push({ path: [...path, 'explanation'], message: `At most ${MAX_EXPLANATION} characters` });
  else if (rule.explanationRequired && (typeof explanation !== 'string' || explanation.trim() === '')) {
    issues.push({ path: [...path, 'explanation'], message: `"${rule.label}" needs an explanation` });
  }
  return issues;
}

function offers(field: MetadataField): string {
  return CHOICE_KINDS.includes(field.kind) ? ` (options: ${field.options.map((option) => option.value).join(', ')})` : '';
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The whole answer must match; patterns are compiled once (the config rules already proved they compile). */
function compiled(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    if (patterns.size > 1_000) patterns.clear();
    patterns.set(pattern, regex);
  }
  return regex;
}
