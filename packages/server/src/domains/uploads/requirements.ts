import type { ConfigSnapshot } from '../config/active-config.js';
import { CATEGORY_KEYS, type FieldKind, type MetadataField } from '../config/documents.js';
import type { UploadRules } from './limits.js';

/** What a client needs to build a valid upload: limits, the enabled fields with their rules, the legal declaration. */
export interface UploadRequirements {
  projectName: string;
  description: string;
  stufConfigRevision: number;
  metadataConfigRevision: number;
  limits: UploadRules;
  fields: FieldRequirement[];
  legalDeclaration: { text: string; version: string; acknowledgementRequired: boolean };
}

export interface FieldRequirement {
  key: string;
  label: string;
  helpText: string;
  kind: FieldKind;
  required: boolean;
  category: boolean;
  options: { value: string; label: string; description: string; default: boolean; displayOrder: number }[];
  other: { label: string; explanationRequired: boolean } | null;
  dontKnow: { label: string; explanationRequired: boolean } | null;
  text: { minLength: number | null; maxLength: number | null; pattern: string | null; patternDescription: string | null } | null;
  requiredWhen: { field: string; values: (string | boolean)[] }[];
}

const categories = new Set<string>(CATEGORY_KEYS);

/** The requirements of one config snapshot: enabled fields only, in their order, options in display order. */
export function uploadRequirements(snapshot: ConfigSnapshot, rules: UploadRules): UploadRequirements {
  const { stuf, metadata } = snapshot;
  return {
    projectName: stuf.projectName,
    description: stuf.description,
    stufConfigRevision: stuf.revision,
    metadataConfigRevision: metadata.revision,
    limits: rules,
    fields: metadata.fields.filter((field) => field.enabled).map(fieldRequirement),
    legalDeclaration: {
      text: metadata.legalDeclaration.text,
      version: metadata.legalDeclaration.version,
      acknowledgementRequired: metadata.legalDeclaration.acknowledgementRequired,
    },
  };
}

function fieldRequirement(field: MetadataField): FieldRequirement {
  const options = field.options
    .map((option, index) => ({ option, index }))
    // Options with a displayOrder first (ascending), then the rest in their listed order.
    .sort((a, b) => (a.option.displayOrder ?? Infinity) - (b.option.displayOrder ?? Infinity) || a.index - b.index)
    .map(({ option }, position) => ({ value: option.value, label: option.label, description: option.description, default: option.default, displayOrder: position }));
  const special = (rule: MetadataField['other']) => (rule ? { label: rule.label, explanationRequired: rule.explanationRequired } : null);
  return {
    key: field.key,
    label: field.label,
    helpText: field.helpText,
    kind: field.kind,
    required: field.required,
    category: categories.has(field.key),
    options,
    other: special(field.other),
    dontKnow: special(field.dontKnow),
    text: field.text && { minLength: field.text.minLength, maxLength: field.text.maxLength, pattern: field.text.pattern, patternDescription: field.text.patternDescription },
    requiredWhen: field.requiredWhen.map((condition) => ({ field: condition.field, values: condition.values })),
  };
}
