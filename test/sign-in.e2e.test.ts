import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStufError, RequestSignInDocument, RevokeApiTokenDocument, UserDocument, VerifyEmailCodeDocument, VerifySmsCodeDocument, type StufClient } from '@stuf/sdk/node';
import { startSmtpTestServer } from '../packages/server/src/domains/auth/delivery/smtp-test-server.js';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { apiTokenFor, createUser, outboxCode, outboxMessages, signIn, startUsersTestServer, updateUser, type UsersTestServer } from './helpers/users.js';

/** The request-level error code of a refused call. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (isStufError(error)) return error.code;
    throw error;
  }
  return 'ok';
}

for (const backend of await backends()) {
  describe(`participant sign-in on ${backend.name}`, () => {
    let server: UsersTestServer;
    let anonymous: StufClient;
    let counter = 0;
    const person = () => {
      counter++;
      return { name: `Participant ${counter}`, email: `p${counter}.${backend.name}@example.org`, phone: `+4179000${String(counter).padStart(4, '0')}`, role: 'PARTICIPANT' as const };
    };
    beforeAll(async () => {
      server = await startUsersTestServer(backend);
      anonymous = clientFor(server, { token: null });
    });
    afterAll(() => server?.stop());

    it('signs a participant in with the email code then the SMS code; they upload and see their upload, another participant does not', async () => {
      const ada = await createUser(server.admin, person());
      const bob = await createUser(server.admin, person());
      expect(ada.status).toBe('INVITED');

      const adaClient = clientFor(server, { token: await signIn(server, ada.email!, ada.phone!) });
      const me = await adaClient.me();
      expect(me).toMatchObject({ role: 'participant', actor: { id: ada.id, kind: 'user' } });
      const upload = uploaded(await adaClient.createUpload({ files: [file('ada.txt', 'from ada')] }));
      expect((await adaClient.uploads()).edges.map((edge) => edge.node.id)).toEqual([upload.id]);
      expect((await adaClient.upload(upload.id))?.id).toBe(upload.id);

      const bobClient = clientFor(server, { token: await signIn(server, bob.email!, bob.phone!) });
      expect((await bobClient.uploads()).totalCount).toBe(0);
      expect(await bobClient.upload(upload.id)).toBeNull();
      expect((await server.admin.uploads()).edges.map((edge) => edge.node.id)).toContain(upload.id);
    });

    it('activates an invited user on their first sign-in and records it in their access history', async () => {
      const carol = await createUser(server.admin, person());
      await signIn(server, carol.email!, carol.phone!);
      const { user } = await server.admin.request(UserDocument, { id: carol.id });
      expect(user?.status).toBe('ACTIVE');
      expect(user?.accessHistory.map((event) => event.event)).toEqual(['SIGN_IN']);
      expect(user?.accessHistory[0]?.ip).toBeTruthy();
    });

    it('answers a sign-in request for an unknown address exactly as for a known one, and sends nothing', async () => {
      const known = await createUser(server.admin, person());
      const answerFor = async (email: string) => (await anonymous.request(RequestSignInDocument, { input: { email } })).requestSignIn;
      const unknownAnswer = await answerFor('nobody@example.org');
      const knownAnswer = await answerFor(known.email!);
      expect(unknownAnswer).toEqual(knownAnswer);
      await outboxCode(server.outboxDir, 'email', known.email!);
      expect(await outboxMessages(server.outboxDir, 'email', 'nobody@example.org')).toEqual([]);
    });

    it('uses each code once', async () => {
      const dave = await createUser(server.admin, person());
      await anonymous.request(RequestSignInDocument, { input: { email: dave.email! } });
      const code = await outboxCode(server.outboxDir, 'email', dave.email!);
      const first = (await anonymous.request(VerifyEmailCodeDocument, { input: { email: dave.email!, code } })).verifyEmailCode;
      expect(first.__typename).toBe('VerifyEmailCodePayload');
      const again = (await anonymous.request(VerifyEmailCodeDocument, { input: { email: dave.email!, code } })).verifyEmailCode;
      expect(again).toMatchObject({ __typename: 'InvalidCodeError', code: 'INVALID_CODE' });
      const sms = await outboxCode(server.outboxDir, 'sms', dave.phone!);
      const ticket = first.__typename === 'VerifyEmailCodePayload' ? first.ticket : '';
      expect((await anonymous.request(VerifySmsCodeDocument, { input: { ticket, code: sms } })).verifySmsCode.__typename).toBe('SignInSession');
      expect((await anonymous.request(VerifySmsCodeDocument, { input: { ticket, code: sms } })).verifySmsCode.__typename).toBe('InvalidCodeError');
    });

    it('locks sign-in for an address after ten wrong codes in a row, even for the right code', async () => {
      const eve = await createUser(server.admin, person());
      await anonymous.request(RequestSignInDocument, { input: { email: eve.email! } });
      const code = await outboxCode(server.outboxDir, 'email', eve.email!);
      const wrong = code === '000000' ? '111111' : '000000';
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push((await anonymous.request(VerifyEmailCodeDocument, { input: { email: eve.email!, code: wrong } })).verifyEmailCode.__typename);
      expect(answers).toEqual(Array(10).fill('InvalidCodeError'));
      const locked = (await anonymous.request(VerifyEmailCodeDocument, { input: { email: eve.email!, code } })).verifyEmailCode;
      expect(locked).toMatchObject({ __typename: 'SignInLockedError', code: 'SIGN_IN_LOCKED' });
      expect((await anonymous.request(RequestSignInDocument, { input: { email: eve.email! } })).requestSignIn.__typename).toBe('SignInLockedError');
    });

    it('refuses a user whose access expired: at sign-in, and for a session issued before', async () => {
      const frank = await createUser(server.admin, person());
      const session = clientFor(server, { token: await signIn(server, frank.email!, frank.phone!) });
      expect((await session.me()).role).toBe('participant');
      await anonymous.request(RequestSignInDocument, { input: { email: frank.email! } });
      const pending = await outboxCode(server.outboxDir, 'email', frank.email!, 1);

      await updateUser(server.admin, frank.id, { accessExpiresAt: new Date(Date.now() - 1000).toISOString() });

      expect(await refusal(session.me())).toBe('ACCOUNT_INACTIVE');
      const verified = (await anonymous.request(VerifyEmailCodeDocument, { input: { email: frank.email!, code: pending } })).verifyEmailCode;
      expect(verified).toMatchObject({ __typename: 'AccountInactiveError', code: 'ACCOUNT_INACTIVE' });
      await anonymous.request(RequestSignInDocument, { input: { email: frank.email! } });
      const { user } = await server.admin.request(UserDocument, { id: frank.id });
      expect(user?.status).toBe('EXPIRED');
    });

    it('refuses a suspended user on the very next request', async () => {
      const gina = await createUser(server.admin, person());
      const session = clientFor(server, { token: await signIn(server, gina.email!, gina.phone!) });
      expect((await session.me()).role).toBe('participant');
      await updateUser(server.admin, gina.id, { status: 'SUSPENDED' });
      expect(await refusal(session.me())).toBe('ACCOUNT_INACTIVE');
      expect(await refusal(session.createUpload({ files: [file('x.txt', 'x')] }))).toBe('ACCOUNT_INACTIVE');
    });

    it('accepts an API token until it is revoked, and records when it was used', async () => {
      const hank = await createUser(server.admin, person());
      const { token, id } = await apiTokenFor(server.admin, hank.id, 'integration');
      const integrator = clientFor(server, { token });
      expect(await integrator.me()).toMatchObject({ role: 'participant', actor: { id: hank.id } });
      const { user } = await server.admin.request(UserDocument, { id: hank.id });
      expect(user?.apiTokens.find((apiToken) => apiToken.id === id)?.lastUsedAt).toBeTruthy();
      expect(JSON.stringify(user)).not.toContain(token);

      const { revokeApiToken } = await server.admin.request(RevokeApiTokenDocument, { id });
      expect(revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
      expect(await refusal(integrator.me())).toBe('UNAUTHENTICATED');
    });

    it('delivers the email code through a real SMTP server', async () => {
      const smtp = await startSmtpTestServer();
      const smtpServer = await startUsersTestServer(backend, { STUF_SMTP_URL: smtp.url, STUF_EMAIL_FROM: 'STUF <stuf@example.org>' });
      try {
        const ida = await createUser(smtpServer.admin, person());
        const token = await signIn(smtpServer, ida.email!, ida.phone!, {
          emailCode: async () => /sign-in code is (\d{6})/.exec((await smtp.waitFor(ida.email!)).raw)![1]!,
        });
        expect((await clientFor(smtpServer, { token }).me()).actor.id).toBe(ida.id);
        expect(await outboxMessages(smtpServer.outboxDir, 'email', ida.email!)).toEqual([]);
      } finally {
        await smtpServer.stop();
        await smtp.close();
      }
    });

    it('refuses an email code or an SMS code once STUF_SIGN_IN_CODE_TTL_SECONDS have passed', async () => {
      const quick = await startUsersTestServer(backend, { STUF_SIGN_IN_CODE_TTL_SECONDS: '1' });
      const quickAnonymous = clientFor(quick, { token: null });
      try {
        const jo = await createUser(quick.admin, person());
        await quickAnonymous.request(RequestSignInDocument, { input: { email: jo.email! } });
        const staleEmailCode = await outboxCode(quick.outboxDir, 'email', jo.email!);
        await sleep(1_100);
        const late = (await quickAnonymous.request(VerifyEmailCodeDocument, { input: { email: jo.email!, code: staleEmailCode } })).verifyEmailCode;
        expect(late).toMatchObject({ __typename: 'InvalidCodeError', code: 'INVALID_CODE' });

        await quickAnonymous.request(RequestSignInDocument, { input: { email: jo.email! } });
        const emailCode = await outboxCode(quick.outboxDir, 'email', jo.email!, 1);
        const verified = (await quickAnonymous.request(VerifyEmailCodeDocument, { input: { email: jo.email!, code: emailCode } })).verifyEmailCode;
        if (verified.__typename !== 'VerifyEmailCodePayload') throw new Error(`verifyEmailCode: ${verified.__typename}`);
        const smsCode = await outboxCode(quick.outboxDir, 'sms', jo.phone!);
        await sleep(1_100);
        const lateSms = (await quickAnonymous.request(VerifySmsCodeDocument, { input: { ticket: verified.ticket, code: smsCode } })).verifySmsCode;
        expect(lateSms).toMatchObject({ __typename: 'InvalidCodeError', code: 'INVALID_CODE' });
      } finally {
        await quick.stop();
      }
    });
  });
}
