import { builder } from '../../builder.js';
import { FIELD_KINDS } from '../config/documents.js';
import { effectiveRules } from './limits.js';
import { uploadRequirements, type FieldRequirement, type UploadRequirements } from './requirements.js';

const MetadataFieldKindEnum = builder.enumType('MetadataFieldKind', {
  description: 'How a field is answered (see `MetadataFieldRequirement`).',
  values: FIELD_KINDS,
});

const UploadLimitsRef = builder.objectRef<UploadRequirements['limits']>('UploadLimits').implement({
  fields: (t) => ({
    maxFileSizeBytes: t.float({ resolve: (limits) => limits.maxFileSize }),
    maxFilesPerUpload: t.int({ resolve: (limits) => limits.maxFiles }),
    maxMetadataBytes: t.int({ description: 'Largest `metadata` object, serialized as JSON.', resolve: (limits) => limits.maxMetadataBytes }),
    allowedExtensions: t.stringList({ description: 'Lowercase, without the dot (`pdf`, `tar.gz`). Empty: any.', resolve: (limits) => limits.allowedExtensions }),
    allowedMimeTypes: t.stringList({ description: 'MIME types or `type/*` patterns the declared type must match. Empty: any.', resolve: (limits) => limits.allowedMimeTypes }),
  }),
});

const OptionRef = builder.objectRef<FieldRequirement['options'][number]>('MetadataOption').implement({
  fields: (t) => ({
    value: t.exposeString('value', { description: 'What goes into `metadata`.' }),
    label: t.exposeString('label'),
    description: t.exposeString('description'),
    default: t.exposeBoolean('default', { description: 'Preselect it in forms. The server never fills in an unanswered field.' }),
    displayOrder: t.exposeInt('displayOrder', { description: 'Position in the form (the list is already in this order).' }),
  }),
});

const SpecialAnswerRuleRef = builder.objectRef<NonNullable<FieldRequirement['other']>>('SpecialAnswerRule').implement({
  description: '"Other (specify)" or "Don\'t know", where a field offers it.',
  fields: (t) => ({
    label: t.exposeString('label'),
    explanationRequired: t.exposeBoolean('explanationRequired', { description: 'The answer needs a non-empty `explanation`.' }),
  }),
});

const TextRulesRef = builder.objectRef<NonNullable<FieldRequirement['text']>>('TextRules').implement({
  fields: (t) => ({
    minLength: t.exposeInt('minLength', { nullable: true, description: 'In characters (Unicode code points).' }),
    maxLength: t.exposeInt('maxLength', { nullable: true }),
    pattern: t.exposeString('pattern', { nullable: true, description: 'A JavaScript regular expression (`u` flag) the whole answer must match.' }),
    patternDescription: t.exposeString('patternDescription', { nullable: true }),
  }),
});

const ConditionRef = builder.objectRef<FieldRequirement['requiredWhen'][number]>('FieldCondition').implement({
  description: 'The field is required when `field` is answered with one of `values` (for a multiple choice: includes one).',
  fields: (t) => ({
    field: t.exposeString('field'),
    values: t.field({ type: ['JSON'], description: 'Option values (strings) or, for a yes/no field, true / false.', resolve: (condition) => condition.values }),
  }),
});

const FieldRef = builder.objectRef<FieldRequirement>('MetadataFieldRequirement').implement({
  description:
    'One field of `createUpload`\'s `metadata`, keyed by `key`. Answers: SINGLE_CHOICE an option value; MULTIPLE_CHOICE a list of ' +
    'option values; FREE_TEXT a string; DATE "YYYY-MM-DD"; YES_NO true or false. Where `other` / `dontKnow` is offered, ' +
    '`{"special": "OTHER" | "DONT_KNOW", "explanation": "…"}` answers instead (in a multiple choice, "OTHER" may be listed ' +
    'next to option values). Absent, null, "" and [] are unanswered.',
  fields: (t) => ({
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    helpText: t.exposeString('helpText'),
    kind: t.field({ type: MetadataFieldKindEnum, resolve: (field) => field.kind }),
    required: t.exposeBoolean('required', { description: 'Always required. See also `requiredWhen`.' }),
    requiredWhen: t.field({ type: [ConditionRef], description: 'Required when any of these holds.', resolve: (field) => field.requiredWhen }),
    category: t.exposeBoolean('category', { description: 'One of the STUF categories (file type, collection, IP ownership, licence, comments); otherwise a custom field.' }),
    options: t.field({ type: [OptionRef], description: 'For choice fields, in display order.', resolve: (field) => field.options }),
    other: t.field({ type: SpecialAnswerRuleRef, nullable: true, resolve: (field) => field.other }),
    dontKnow: t.field({ type: SpecialAnswerRuleRef, nullable: true, resolve: (field) => field.dontKnow }),
    text: t.field({ type: TextRulesRef, nullable: true, description: 'For free-text fields.', resolve: (field) => field.text }),
  }),
});

const LegalDeclarationRef = builder.objectRef<UploadRequirements['legalDeclaration']>('LegalDeclaration').implement({
  fields: (t) => ({
    text: t.exposeString('text'),
    version: t.exposeString('version', { description: 'Send it as `createUpload(input: { legalDeclarationVersion })` to acknowledge this text.' }),
    acknowledgementRequired: t.exposeBoolean('acknowledgementRequired'),
  }),
});

const UploadRequirementsRef = builder.objectRef<UploadRequirements>('UploadRequirements').implement({
  description: 'Everything `createUpload` checks, from the config in force on this server.',
  fields: (t) => ({
    projectName: t.exposeString('projectName'),
    description: t.exposeString('description'),
    stufConfigRevision: t.exposeInt('stufConfigRevision'),
    metadataConfigRevision: t.exposeInt('metadataConfigRevision'),
    limits: t.field({ type: UploadLimitsRef, resolve: (requirements) => requirements.limits }),
    fields: t.field({ type: [FieldRef], description: 'The enabled fields, in form order.', resolve: (requirements) => requirements.fields }),
    legalDeclaration: t.field({ type: LegalDeclarationRef, resolve: (requirements) => requirements.legalDeclaration }),
  }),
});

builder.queryFields((t) => ({
  uploadRequirements: t.field({
    type: UploadRequirementsRef,
    description: 'What an upload must satisfy: limits, allowed types, metadata fields and their rules, the legal declaration.',
    resolve: async (_root, _args, context) => {
      const snapshot = await context.services.config.snapshot();
      return uploadRequirements(snapshot, effectiveRules(context.services.uploads.serverLimits, snapshot.stuf));
    },
  }),
}));
