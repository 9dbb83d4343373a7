import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotateEncryptionKeyDocument, UserDocument } from '@stuf/sdk/node';
import { runStufCli } from './helpers/cli.js';
import { backends } from './helpers/backends.js';
import { clientFor } from './helpers/client.js';
import { bucketTexts, createUser, importUsers, newKey, signIn, startUsersTestServer, updateUser, type UsersTestServer } from './helpers/users.js';

const K1 = newKey('k1');
const K2 = newKey('k2');

/** Every object's text, through the driver (works on fs and S3). */
async function allObjects(server: UsersTestServer): Promise<{ key: string; text: string }[]> {
  const objects: { key: string; text: string }[] = [];
  for await (const object of server.driver.list('')) {
    if (object.key.startsWith('uploads/')) continue;
    const result = await server.driver.get(object.key);
    if (!result.notModified) objects.push({ key: object.key, text: await text(result.body) });
  }
  return objects;
}

/** The key id of every ciphertext in the bucket. */
const keyIdsIn = (objects: { text: string }[]) => objects.flatMap(({ text }) => [...text.matchAll(/"kid":\s*"([^"]+)"/g)].map((match) => match[1]));

/** `stuf keys rotate` in-process, as a user would run it. */
const keysRotate = (url: string) => runStufCli(url, ['keys', 'rotate', '--batch', '2']);

for (const backend of await backends()) {
  describe(`contact data encrypted at rest on ${backend.name}`, () => {
    let server: UsersTestServer;
    const people = [
      { name: 'Ada Lovelace', email: `ada.${backend.name}@example.org`, phone: '+41791110001', role: 'PARTICIPANT' as const },
      { name: 'Alan Turing', email: `alan.${backend.name}@example.org`, phone: '+41791110002', role: 'PARTICIPANT' as const },
    ];
    const imported = { email: `grace.${backend.name}@example.org`, phone: '+41791110003' };
    const changedPhone = '+41791110009';
    let adaId: string;

    beforeAll(async () => {
      server = await startUsersTestServer(backend, { STUF_ENCRYPTION_KEYS: K1 });
      const [ada] = [await createUser(server.admin, people[0]!), await createUser(server.admin, people[1]!)];
      adaId = ada.id;
      await importUsers(server.url, `name,email,phone\nGrace Hopper,${imported.email},${imported.phone}\n`);
      await signIn(server, people[0]!.email, people[0]!.phone);
      const alan = (await server.admin.request(UserDocument, { id: (await createUser(server.admin, { ...people[1]!, email: `alan2.${backend.name}@example.org` })).id })).user!;
      await updateUser(server.admin, alan.id, { phone: changedPhone });
    });
    afterAll(() => server?.stop());

    it('keeps no email address or phone number in plaintext anywhere in the bucket', async () => {
      const needles = [...people.flatMap((p) => [p.email, p.phone]), imported.email, imported.phone, changedPhone, `alan2.${backend.name}@example.org`];
      const texts = await bucketTexts(server);
      expect(texts.some(({ key }) => key === 'users.json')).toBe(true);
      expect(texts.some(({ key }) => key.startsWith('journal/'))).toBe(true);
      const found = texts.flatMap(({ key, text }) => needles.filter((needle) => text.includes(needle) || text.includes(needle.slice(1))).map((needle) => `${needle} in ${key}`));
      expect(found).toEqual([]);
    });

    it('re-encrypts every ciphertext with the new key on `stuf keys rotate`, also after an interrupted run, and sign-in still works', async () => {
      expect(new Set(keyIdsIn(await allObjects(server)))).toEqual(new Set(['k1']));
      await server.restart({ STUF_ENCRYPTION_KEYS: `${K2},${K1}` });
      // An interrupted run: one batch of two users, then the whole rotation again from the start.
      const { rotateEncryptionKey: firstBatch } = await server.admin.request(RotateEncryptionKeyDocument, { input: { first: 2 } });
      expect(firstBatch).toMatchObject({ __typename: 'KeyRotationBatch', keyId: 'k2', phase: 'USERS', reencrypted: 2 });
      expect(new Set(keyIdsIn(await allObjects(server)))).toEqual(new Set(['k1', 'k2']));

      const rotation = await keysRotate(server.url);
      expect(rotation.code).toBe(0);
      expect(rotation.err).toMatch(/users: \d+ checked, \d+ re-encrypted to key k2/);
      expect(rotation.err).toMatch(/journal entries: \d+ checked/);
      expect(rotation.out).toMatch(/Every ciphertext is now under key k2/);
      const kids = keyIdsIn(await allObjects(server));
      expect(kids.length).toBeGreaterThan(8);
      expect(new Set(kids)).toEqual(new Set(['k2']));

      // Without the old key at all: everything must be readable, and sign-in finds users by the new blind index.
      await server.restart({ STUF_ENCRYPTION_KEYS: K2 });
      expect((await server.admin.request(UserDocument, { id: adaId })).user?.email).toBe(people[0]!.email);
      const token = await signIn(server, people[0]!.email, people[0]!.phone);
      expect((await clientFor(server, { token }).me()).actor.id).toBe(adaId);
    });

    it('is safe to re-run: a second rotation finds nothing left to re-encrypt', async () => {
      const again = await keysRotate(server.url);
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/: 0 of \d+ users and 0 of \d+ journal entries re-encrypted/);
    });
  });
}
