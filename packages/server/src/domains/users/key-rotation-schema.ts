import { builder } from '../../builder.js';
import { ValidationError } from '../../errors.js';
import type { RotationBatch } from './key-rotation.js';

const RotationPhaseEnum = builder.enumType('KeyRotationPhase', {
  values: {
    USERS: { value: 'USERS' as const, description: '`users/*.json` (then `users.json` is rebuilt).' },
    JOURNAL: { value: 'JOURNAL' as const, description: 'Journal entries that carry user records (its last batch also moves the secrets of `config/stuf_config.json`).' },
  },
});

const KeyRotationBatchRef = builder.objectRef<RotationBatch>('KeyRotationBatch').implement({
  fields: (t) => ({
    keyId: t.exposeString('keyId', { description: 'The key everything is moved to: the first of STUF_ENCRYPTION_KEYS.' }),
    phase: t.field({ type: RotationPhaseEnum, resolve: (batch) => batch.phase }),
    scanned: t.exposeInt('scanned'),
    reencrypted: t.exposeInt('reencrypted'),
    cursor: t.exposeString('cursor', { nullable: true, description: 'Pass to the next call; `null` when the rotation is complete.' }),
  }),
});

const RotateEncryptionKeyInput = builder.inputType('RotateEncryptionKeyInput', {
  fields: (t) => ({
    cursor: t.string({ required: false, description: 'From the previous batch; omit to start (or re-run) from the beginning.' }),
    first: t.int({ required: false, description: 'Documents per batch, 1–1000 (default 100).' }),
  }),
});

builder.mutationFields((t) => ({
  rotateEncryptionKey: t.field({
    type: KeyRotationBatchRef,
    description:
      'Re-encrypts one batch of contact data with the newest key; call again with `cursor` until it is `null` (`stuf keys rotate` does). ' +
      'Safe to interrupt and re-run: documents already under the newest key are left alone. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RotateEncryptionKeyInput, required: false }) },
    errors: { types: [ValidationError], union: { name: 'RotateEncryptionKeyResult' } },
    resolve: (_root, { input }, context) => context.services.keyRotation.rotate({ cursor: input?.cursor, first: input?.first, actor: context.viewer!.actor }),
  }),
}));
